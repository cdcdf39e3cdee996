"""Photo evidence as it is stored: bytes in, clean JPEG bytes out (no I/O).

What a phone uploads is never stored as it is: the type is decided by the file's
first bytes (never its name or the Content-Type a client claims), Pillow decodes it
once, the camera's orientation is applied, and the picture is re-encoded as a JPEG
without any metadata (EXIF with GPS position, XMP, comments), in a copy with a long
edge of at most 1600 px and a thumbnail of at most 320 px.

Slow (tens to hundreds of milliseconds per photo, and memory): call it through
`evidence.processed`, in a worker thread, a bounded number at once.
"""

from __future__ import annotations

import enum
import io
import math
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
# A decompression bomb is a small file that decodes to gigabytes (a 47 KB PNG of
# 7000×7000 took 150 MB each, and seconds). The caps are what phones make, checked on
# the header before any decoding: a 50 Mpx camera's full frame (8192×6144; no side
# longer than 8192 px) for JPEG, which decodes at a reduced scale (see `_draft_box`),
# and HEIC (iPhones' 48 Mpx); 16 Mpx for PNG and WebP, which decode whole and which a
# camera never makes (screenshots, edited pictures). Pillow itself refuses beyond
# ~179 Mpx and warns beyond ~89: the warning is made an error so that it refuses
# those too (never half-decodes one).
MAX_PIXELS = 8192 * 6144
MAX_EDGE = 8192
WHOLE_DECODE_MAX_PIXELS = 4096 * 4096
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
            _check_size(source_type, *opened.size)
            # JPEG decodes straight at 1/2, 1/4 or 1/8 scale (still ≥ LONG_EDGE): far
            # less memory and time for a 50 Mpx photo.
            opened.draft("RGB", _draft_box(*opened.size))
            opened.load()
            # An RGB colour profile (a phone's Display P3) keeps the colours right; any
            # other (CMYK, grey) would not describe the RGB copy.
            icc_profile = opened.info.get("icc_profile") if opened.mode in ("RGB", "RGBA") else None
            # In place, and shrunk before any conversion: a PNG decoded whole is held
            # once at full size, not three times (turned, converted, copied).
            ImageOps.exif_transpose(opened, in_place=True)
            image = _resizable(opened)
            image.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
            if image is opened:  # closing the file would close it too: keep a copy
                image = opened.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected("too_many_pixels", str(exc)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise PhotoRejected("unreadable", f"the image cannot be read: {exc}") from None
    image = _flattened(image)
    thumbnail = _shrunk(image, THUMBNAIL_EDGE)
    return ProcessedPhoto(
        source_type=source_type,
        image=_jpeg(image, icc_profile),
        thumbnail=_jpeg(thumbnail, icc_profile),
    )


def _check_size(source_type: SourceType, width: int, height: int) -> None:
    whole = source_type in (SourceType.png, SourceType.webp)
    most = WHOLE_DECODE_MAX_PIXELS if whole else MAX_PIXELS
    if width * height > most or max(width, height) > MAX_EDGE:
        raise PhotoRejected(
            "too_many_pixels",
            f"{width}×{height} pixels is too many for a {source_type.name.upper()} photo "
            f"(at most {most / 1e6:.1f} Mpx, {MAX_EDGE} px on a side)",
        )


def _draft_box(width: int, height: int) -> tuple[int, int]:
    """The smallest size a JPEG may be decoded at: LONG_EDGE on the long side, the
    other in proportion. (A square box would keep the short side at LONG_EDGE too, and
    a 4:3 photo would decode at twice the scale it needs.)"""
    long_edge = max(width, height, 1)
    return (
        max(1, math.ceil(width * LONG_EDGE / long_edge)),
        max(1, math.ceil(height * LONG_EDGE / long_edge)),
    )


def _resizable(image: Image.Image) -> Image.Image:
    """The image itself when Pillow resizes its mode well; else converted (a palette
    or 16-bit picture would be resized coarsely or not at all)."""
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    transparent = image.mode in ("PA", "La") or "transparency" in image.info
    return image.convert("RGBA" if transparent else "RGB")


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
