"""The teacher token: who may change the class's lab.

In a classroom one teacher runs the lab and thirty students open it. When a teacher token is set
(the CNN_LAB_TEACHER_TOKEN environment variable, or `teacher_token` in .streamlit/secrets.toml),
only a session that typed it may start, stop, resume or delete runs or change the class's model;
everyone else watches. Without a token (one person on a laptop) everything is open. A secrets file
that exists but cannot be read locks every control until it is fixed (it fails closed).

    token = teacher_token(secret_from_streamlit)   # None: no token, the lab is open
    token_matches(typed, token)                    # constant time: hmac.compare_digest

Nothing here imports streamlit.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tomllib
from pathlib import Path

from cnn_lab.settings import TEACHER_TOKEN_VARIABLE


# The token of a lab whose secrets file could not be read: random, made anew by every process and never
# shown, so nobody can sign in with it. A broken lock stays closed: it never opens the lab to everyone.
LOCKED = secrets.token_urlsafe(32)


def teacher_token(secret: object = None, secrets_problem: str | None = None) -> str | None:
    """The configured token: the environment variable first, else the secret; None if neither
    is set (or is blank), which leaves the lab open. If the secrets file exists but could not be read
    (`secrets_problem` says why), the lab fails closed: LOCKED, a token nobody knows."""
    for value in (os.environ.get(TEACHER_TOKEN_VARIABLE), secret):
        if isinstance(value, str) and value.strip():
            return value.strip()
    return LOCKED if secrets_problem else None


def secrets_problem(paths) -> str | None:
    """Why one of these secrets files exists but cannot be read as TOML (None if each reads, or is absent).
    Streamlit treats such a file as if there were none: for the teacher token that would open the lab."""
    for path in map(Path, paths):
        if not path.exists():
            continue
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            return f"{path}: {e}"
    return None


def token_matches(given: object, token: str | None) -> bool:
    """Whether `given` is the teacher token, compared in constant time (no timing leak)."""
    if not token or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def fingerprint(token: str) -> str:
    """What a signed-in session keeps instead of the token: a change of token signs it out."""
    return hashlib.sha256(b"cnn-lab teacher\0" + token.encode("utf-8")).hexdigest()


def signed_in(kept: object, token: str | None) -> bool:
    """Whether a session's kept fingerprint belongs to the current token (constant time)."""
    if not token or not isinstance(kept, str):
        return False
    return hmac.compare_digest(kept.encode("ascii", "replace"), fingerprint(token).encode("ascii"))
