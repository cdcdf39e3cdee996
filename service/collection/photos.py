"""Photo evidence as it is stored: bytes in, clean JPEG bytes out (no I/O).

What a phone uploads is never stored as it is: the type is decided by the file's
first bytes (never its name or the Content-Type a client claims), Pillow decodes it
once, the camera's orientation is applied, and the picture is re-encoded as a JPEG
without any metadata (EXIF with GPS position, XMP, comments), in a copy with a long
edge of at most 1600 px and a thumbnail of at most 320 px.

Slow (tens to hundreds of milliseconds per photo): call it from a worker thread.
"""

from __future__ import annotations

import enum
import io
import warnings

import msgspec
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC (iPhones) only when pillow-heif is there to read it.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - pillow-heif is a dependency
    HEIC_SUPPORTED = False
else:
    register_heif_opener()
    HEIC_SUPPORTED = True

LONG_EDGE = 1600
THUMBNAIL_EDGE = 320
JPEG_QUALITY = 80
STORED_CONTENT_TYPE = "image/jpeg"
# Phones take up to ~50 megapixels; more is a decompression bomb (a small file that
# decodes to gigabytes). Pillow itself refuses beyond ~179 Mpx and warns beyond ~89:
# the warning is made an error so that it refuses those too (never half-decodes one).
MAX_PIXELS = 50_000_000
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


class SourceType(enum.StrEnum):
    jpeg = "image/jpeg"
    png = "image/png"
    webp = "image/webp"
    heic = "image/heic"


_PILLOW_FORMATS = {
    SourceType.jpeg: "JPEG",
    SourceType.png: "PNG",
    SourceType.webp: "WEBP",
    SourceType.heic: "HEIF",
}


class PhotoRejected(Exception):
    """The upload is not a photo we can store. `code`: unsupported_type, unreadable,
    too_many_pixels."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Encoded(msgspec.Struct, frozen=True):
    data: bytes
    width: int
    height: int


class ProcessedPhoto(msgspec.Struct, frozen=True):
    source_type: SourceType
    image: Encoded  # long edge ≤ LONG_EDGE
    thumbnail: Encoded  # long edge ≤ THUMBNAIL_EDGE
    content_type: str = STORED_CONTENT_TYPE


def sniff(data: bytes) -> SourceType | None:
    """The image type by its magic bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return SourceType.jpeg
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return SourceType.png
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return SourceType.webp
    if HEIC_SUPPORTED and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return SourceType.heic
    return None


def process(data: bytes) -> ProcessedPhoto:
    """Check, decode, orient, strip and shrink one uploaded photo.

    Raises PhotoRejected for anything that is not a readable JPEG, PNG, WebP (or
    HEIC) photo of a sane size.
    """
    source_type = sniff(data)
    if source_type is None:
        raise PhotoRejected("unsupported_type", "not a JPEG, PNG, WebP or HEIC image")
    try:
        with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[source_type]]) as opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise PhotoRejected("too_many_pixels", f"{width}×{height} pixels is too many")
            # JPEG decodes straight at 1/2, 1/4 or 1/8 scale (still ≥ LONG_EDGE): far
            # less memory and time for a 50 Mpx photo.
            opened.draft("RGB", (LONG_EDGE, LONG_EDGE))
            opened.load()
            oriented = ImageOps.exif_transpose(opened)
            # An RGB colour profile (a phone's Display P3) keeps the colours right; any
            # other (CMYK, grey) would not describe the RGB copy.
            icc_profile = opened.info.get("icc_profile") if opened.mode in ("RGB", "RGBA") else None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected("too_many_pixels", str(exc)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoRejected("unreadable", f"the image cannot be read: {exc}") from None
    rgb = _flattened(oriented)
    image = _shrunk(rgb, LONG_EDGE)
    thumbnail = _shrunk(image, THUMBNAIL_EDGE)
    return ProcessedPhoto(
        source_type=source_type,
        image=_jpeg(image, icc_profile),
        thumbnail=_jpeg(thumbnail, icc_profile),
    )


def _flattened(image: Image.Image) -> Image.Image:
    """RGB; transparent parts (PNG, WebP) on white, as a JPEG cannot be transparent."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _shrunk(image: Image.Image, edge: int) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return copy


def _jpeg(image: Image.Image, icc_profile: bytes | None) -> Encoded:
    # Pillow writes some metadata from `info` (the JPEG comment): start from nothing.
    image.info = {}
    buffer = io.BytesIO()
    options: dict = {"quality": JPEG_QUALITY, "progressive": True, "optimize": True}
    if icc_profile:
        options["icc_profile"] = icc_profile  # colours only; no place, time or device
    image.save(buffer, "JPEG", **options)
    return Encoded(data=buffer.getvalue(), width=image.width, height=image.height)
