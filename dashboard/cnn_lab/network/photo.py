"""A student's photo, made into what CIFAR-10 looks like: 32x32 RGB pixels.

    bytes -> original (EXIF orientation applied) -> centre square -> 32x32 (antialiased) -> uint8 array

`read_photo(data)` turns any uploaded bytes into a `Photo` (an RGB image plus plain notes on what
was done to it, e.g. "transparent parts shown on white"), or raises PhotoError with a message a
student can read: empty files, documents renamed .jpg, cut-short files, decompression bombs and
images too small to show anything never get further than this module. `read_upload` does that
for one uploaded file, timed, and `classify` gives every photo read the network's answer, in one
batch; `ranking` and `place` read an answer.

Large JPEGs are decoded at a reduced scale (Pillow's `draft`, done inside the JPEG decoder): a
12-megapixel photo becomes ~500 x 375 pixels in a few milliseconds, still far more than the
32 x 32 the network sees. `open_photo`, `square_crop` and `to_cifar` are the small building
blocks the lesson pages use. No TensorFlow here.
"""

from __future__ import annotations

import dataclasses
import io
import time
import warnings
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnn_lab.settings import IMAGE_SIZE

FORMATS = (
    "JPEG",
    "PNG",
    "WEBP",
    "BMP",
    "GIF",
)  # (the JPEG reader also opens the multi-picture MPO files some phones write)
EXTENSIONS = ("jpg", "jpeg", "png", "webp", "bmp", "gif", "heic", "heif")  # heic: refused with a clear note
MAX_PIXELS = 120_000_000  # a JPEG larger than this is refused before decoding (decompression bombs)
MAX_FULL_DECODE_PIXELS = 50_000_000  # formats decoded at full size (PNG, WebP, ...) are held to this
MIN_SIDE = IMAGE_SIZE  # CIFAR-10 images are 32 x 32: a smaller photo has nothing more to show
DRAFT_SIDE = 256  # large JPEGs are decoded with their short side at least this many pixels
SIZE = IMAGE_SIZE
FORMAT_NAMES = "JPEG, PNG, WebP, BMP or GIF"
UPLOAD = f" Upload a {FORMAT_NAMES} image."


class PhotoError(ValueError):
    """The upload is not a photo we can read; the message says why, in plain words."""


@dataclasses.dataclass
class Photo:
    """A decoded upload: `image` is RGB with its orientation applied (maybe decoded at a reduced
    scale, see `scale`); `notes` says in plain words what was done to make it so."""

    image: Image.Image
    format: str  # "JPEG", "PNG", ...
    original_size: tuple[int, int]  # (width, height) as stored in the file, before orientation
    scale: int = 1  # the JPEG was decoded at 1/scale of its width and height
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def megapixels(self) -> float:
        return self.original_size[0] * self.original_size[1] / 1e6

    @property
    def upright_size(self) -> tuple[int, int]:
        """(width, height) of the full photo the right way up: the stored size, turned as its orientation
        tag turned the picture (a phone's portrait photo is stored lying on its side)."""
        stored_landscape = self.original_size[0] >= self.original_size[1]
        shown_landscape = self.image.width >= self.image.height
        turned = stored_landscape != shown_landscape and self.original_size[0] != self.original_size[1]
        return self.original_size[::-1] if turned else self.original_size


MB = 1024 * 1024  # Streamlit's server.maxUploadSize counts megabytes of 1024 x 1024 bytes


def megabytes(n: int) -> str:
    """A byte count in words: '20 MB', '3.4 MB', '12 kB'."""
    return f"{n / MB:.1f} MB".replace(".0 MB", " MB") if n >= 100 * 1024 else f"{n / 1024:.0f} kB"


def _what_is_it(data: bytes) -> str:
    """A plain-words guess at what a file that is not an image we read actually is."""
    head = data[:64]
    if head.startswith(b"%PDF"):
        return "This file is a PDF document, not a photo (whatever its name says)." + UPLOAD
    if head[4:8] == b"ftyp" and any(
        brand in head[8:32] for brand in (b"heic", b"heix", b"heif", b"mif1", b"msf1", b"hevc")
    ):
        return (
            "This is a HEIC photo (the iPhone's own format), which this lab cannot read. On the iPhone choose "
            "Settings > Camera > Formats > Most Compatible, or share the photo as JPEG, and upload that."
        )
    if head[4:8] == b"ftyp":
        return "This file is a video or an AVIF/HEIF picture, not a JPEG, PNG, WebP, BMP or GIF image."
    if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return "This file is a compressed archive (zip, gzip, ...), not a photo." + UPLOAD
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "This is a TIFF image, which this lab does not read. Save it as JPEG or PNG and upload that."
    sample = data[:4096]
    try:
        sample.decode("utf-8")
        is_text = True
    except UnicodeDecodeError as e:  # a multi-byte character cut at the end of the sample is still text
        is_text = e.start >= len(sample) - 3
    if is_text and b"\x00" not in sample:
        if sample.lstrip().lower().startswith((b"<svg", b"<?xml")):
            return "This is an SVG drawing (text that describes shapes), not a photo made of pixels. Export it as PNG."
        return "This file contains text, not an image (whatever its name says)." + UPLOAD
    return f"This file is not an image this lab can read. Upload a {FORMAT_NAMES} image."


def _check_size(width: int, height: int, fmt: str) -> None:
    pixels = width * height
    limit = MAX_PIXELS if fmt in ("JPEG", "MPO") else MAX_FULL_DECODE_PIXELS
    if pixels > limit:
        raise PhotoError(
            f"The file says it is {width:,} x {height:,} pixels ({pixels / 1e6:,.0f} megapixels): more than the "
            f"{limit / 1e6:.0f} megapixels this lab opens for a {fmt} file. A file like that can be a "
            "'decompression bomb' that would fill the server's memory, so it is not opened. "
            "Make it smaller and try again."
        )
    if min(width, height) < MIN_SIDE:
        raise PhotoError(
            f"The image is only {width:,} x {height:,} pixels. CIFAR-10 pictures are {SIZE} x {SIZE}, so a photo needs "
            f"at least {MIN_SIDE} pixels on each side to show the network anything."
        )


def _to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """Any Pillow mode to 8-bit RGB, saying what changed."""
    if image.mode.startswith("I") or image.mode == "F":  # 16-bit (or 32-bit) grey levels
        values = np.asarray(image, dtype=np.float64)
        top = values.max(initial=0)
        peak = (
            65535.0
            if image.mode.startswith("I;16") or top > 255
            else (1.0 if image.mode == "F" and top <= 1 else 255.0)
        )
        if peak == 65535.0:
            notes.append("16-bit image: its 65,536 shades of grey were scaled down to the 256 the network uses.")
        grey = np.clip(np.round(values / peak * 255), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        if alpha.min() < 255:
            notes.append(
                "The image has transparent parts: they are shown on white (CIFAR-10 pictures have no transparency)."
            )
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode == "CMYK":
        notes.append(
            "CMYK image (colours for printing): converted to the screen's red, green and blue; "
            "colours may shift a little."
        )
    elif image.mode in ("L", "1"):
        notes.append("Black-and-white image: each grey value is copied to red, green and blue.")
    return image.convert("RGB")


def read_photo(data: bytes, max_bytes: int | None = None, draft: int | None = DRAFT_SIDE) -> Photo:
    """Decode an upload into an RGB `Photo` with its EXIF orientation applied, or raise PhotoError.

    `max_bytes`: refuse larger files (the page passes the server's upload limit).
    `draft`: decode large JPEGs at a reduced scale keeping the short side at least this many pixels
    (None: full size).
    """
    if data is None or len(data) == 0:
        raise PhotoError("The file is empty (0 bytes): there is no picture in it. Try uploading it again.")
    if max_bytes is not None and len(data) > max_bytes:
        raise PhotoError(
            f"The file is {megabytes(len(data))}, over the upload limit of {megabytes(max_bytes)}. "
            "Send a smaller version of the photo (phones can share a 'medium' or 'small' size)."
        )
    notes: list[str] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise PhotoError(_what_is_it(data)) from None
    except Image.DecompressionBombError:
        raise PhotoError(
            "The file says it is an enormous image (a 'decompression bomb' that would fill the server's "
            "memory), so it is not opened. Make it smaller and try again."
        ) from None
    except Exception:  # noqa: BLE001 - a damaged header: whatever Pillow raises, the student gets a sentence
        raise PhotoError(
            "The file looks like an image but its header is damaged, so it cannot be read. "
            "Try exporting the photo again."
        ) from None
    fmt = image.format or "image"
    original_size = image.size
    _check_size(*image.size, fmt)
    frames = getattr(image, "n_frames", 1)
    if frames > 1:
        notes.append(f"Animated {fmt} with {frames} frames: the network looks at the first frame only.")
    scale = 1
    try:
        if draft and fmt in ("JPEG", "MPO") and image.mode in ("RGB", "L", "YCbCr"):
            request = image.draft("RGB" if image.mode != "L" else "L", (draft, draft))
            if request is not None:
                scale = max(1, round(original_size[0] / image.size[0]))
        image.load()
        try:
            image = ImageOps.exif_transpose(image)
        except Exception:  # noqa: BLE001 - damaged EXIF: keep the pixels as stored
            notes.append("The photo's orientation tag is damaged, so it is shown the way it is stored.")
        image = _to_rgb(image, notes)
    except PhotoError:
        raise
    except MemoryError:
        raise PhotoError("The image is too large to open on this server. Make it smaller and try again.") from None
    except Exception as e:  # noqa: BLE001 - truncated or corrupt pixel data
        cut = "truncated" in str(e).lower() or isinstance(e, (EOFError, SyntaxError))
        raise PhotoError(
            "The file is cut short: only part of the image arrived (the upload or download was interrupted). "
            "Try sending the photo again."
            if cut
            else "The image data inside the file is damaged, so it cannot be decoded. Try exporting the photo again."
        ) from None
    return Photo(image=image, format=fmt, original_size=original_size, scale=scale, notes=notes)


def open_photo(data: bytes, max_pixels: int | None = None) -> Image.Image:
    """Decode an upload into a full-size RGB image with its EXIF orientation applied (PhotoError if not).

    `max_pixels` (optional) refuses images with more pixels than that."""
    if max_pixels is not None and data:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                width, height = Image.open(io.BytesIO(data), formats=FORMATS).size
        except Exception:  # noqa: BLE001 - read_photo below gives the right message
            width = height = 0
        if width * height > max_pixels:
            raise PhotoError(f"The image is {width:,} x {height:,} pixels: too large to open safely.")
    return read_photo(data, draft=None).image


def square_box(size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the largest centred square in an image of this (width, height)."""
    width, height = size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return left, top, left + side, top + side


def square_crop(image: Image.Image) -> Image.Image:
    """The largest centred square."""
    return image.crop(square_box(image.size))


def to_cifar(image: Image.Image, size: int = SIZE) -> np.ndarray:
    """Centre square, resized to size x size with antialiasing (Lanczos), as uint8 (size, size, 3)."""
    image = image.convert("RGB") if image.mode != "RGB" else image
    return np.asarray(square_crop(image).resize((size, size), Image.LANCZOS), dtype=np.uint8)


def display_name(name: str | None, limit: int = 60) -> str:
    """An uploaded file's name made safe to show as plain text: no control characters, not too long.
    (Pages still show it with st.text, never as Markdown or HTML, and never use it as a path.)"""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(name or "photo"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def enlarged_square(image: Image.Image, side: int) -> np.ndarray:
    """The centre square of a photo at side x side pixels (Lanczos), as uint8 (side, side, 3)."""
    return np.asarray(square_crop(image).resize((side, side), Image.LANCZOS))


@dataclasses.dataclass
class Upload:
    """One uploaded file: the photo in it made into 32x32 pixels, or the plain reason why not."""

    name: str  # safe to show as plain text (display_name)
    photo: Photo | None = None
    pixels: np.ndarray | None = None  # (32, 32, 3) uint8
    error: str | None = None
    seconds: float = 0.0  # reading it and shrinking it to 32x32
    probabilities: np.ndarray | None = None  # (10,) float64, once `classify` has given them
    network_seconds: float = 0.0  # its share of the network's time on the batch


def read_upload(name: str, size: int, read: Callable[[], bytes], limit: int) -> Upload:
    """Read one upload of `size` bytes (`read()` gives them) and make it 32x32 pixels, timed. A file over
    `limit` bytes (the server's upload limit) is refused before it is read: the browser refuses those
    first, this guards any other client."""
    upload = Upload(display_name(name))
    started = time.perf_counter()
    try:
        if size > limit:
            raise PhotoError(f"The file is {megabytes(size)}, over the upload limit of {megabytes(limit)}.")
        upload.photo = read_photo(read(), max_bytes=limit)
        upload.pixels = to_cifar(upload.photo.image)
    except PhotoError as e:
        upload.error = str(e)
    else:
        upload.seconds = time.perf_counter() - started
    return upload


def classify(uploads: list[Upload], predict: Callable[[np.ndarray], np.ndarray]) -> None:
    """Give every upload that was read its 10 class probabilities, all in one batch through `predict`
    (uint8 images -> probabilities), and each its share of the time the batch took."""
    read = [upload for upload in uploads if upload.error is None]
    if not read:
        return
    started = time.perf_counter()
    probabilities = predict(np.stack([upload.pixels for upload in read]))
    seconds = (time.perf_counter() - started) / len(read)
    for upload, p in zip(read, probabilities):
        upload.probabilities, upload.network_seconds = np.asarray(p, np.float64), seconds


def ranking(probabilities) -> list[int]:
    """The classes, the most likely first (of equal probabilities, the first class first)."""
    return [int(c) for c in np.argsort(-np.asarray(probabilities), kind="stable")]


def top(probabilities, count: int = 3) -> list[tuple[int, float]]:
    """The `count` most likely classes and their probabilities, the most likely first."""
    return [(c, float(probabilities[c])) for c in ranking(probabilities)[:count]]


def place(probabilities, class_index: int) -> int:
    """Where a class comes in `ranking`: 1 for the network's answer, up to 10."""
    return ranking(probabilities).index(class_index) + 1
