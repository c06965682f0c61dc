"""Writes down every attempt of a Python process to reach another computer: tests/test_privacy.py
puts this folder first on the lab's PYTHONPATH, so the server and every Python process it starts
load it. Each name lookup, connection or datagram for anything but this computer itself becomes a
line of $CNN_LAB_NETWORK_LOG. Nothing is blocked: the test reads the file and fails on any line.
"""

import os
import sys

LOG = os.environ.get("CNN_LAB_NETWORK_LOG")
THIS_COMPUTER = {"", "localhost", "0.0.0.0", "::", "::1"}
# Python's audit events that name a remote host, and where in their arguments the host is.
HOST_OF = {
    "socket.getaddrinfo": lambda args: args[0],
    "socket.gethostbyname": lambda args: args[0],
    "socket.gethostbyaddr": lambda args: args[0],
    "socket.getnameinfo": lambda args: args[0][0],
    "socket.connect": lambda args: args[1][0] if isinstance(args[1], tuple) else None,  # None: a Unix socket
    "socket.sendto": lambda args: args[1][0] if isinstance(args[1], tuple) else None,
    "socket.sendmsg": lambda args: args[1][0] if isinstance(args[1], tuple) else None,
}


def _elsewhere(host) -> bool:
    if host is None:
        return False
    host = host.decode() if isinstance(host, bytes) else str(host)
    return host not in THIS_COMPUTER and not host.startswith(("127.", "::ffff:127."))


def _write_down(event: str, args: tuple) -> None:
    if event in HOST_OF and _elsewhere(host := HOST_OF[event](args)):
        with open(LOG, "a") as log:
            log.write(f"{event} {host} (process {os.getpid()}: {' '.join(sys.argv)[:160]})\n")


if LOG:
    sys.addaudithook(_write_down)
