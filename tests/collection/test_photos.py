"""Photo processing (pure) and the local storage: what is kept of an uploaded photo."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from service.collection import photos
from service.collection.storage import InvalidKey, LocalStorage, MissingObject, check_key

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE = 0x010F


def jpeg_with_exif(size: tuple[int, int] = (400, 200), orientation: int = 6) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" and where it was taken."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 7.5), 3: "E", 4: (120.0, 10.0, 3.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), comment=b"taken at the east gate")
    return buffer.getvalue()


def encoded(format: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 120, 10, 128)[: len(mode)]).save(buffer, format)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""
    data = bytearray(encoded("PNG", (8, 8)))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


def test_gps_and_all_exif_are_gone_and_orientation_applied():
    result = photos.process(jpeg_with_exif())
    for encoded_bytes in (result.image.data, result.thumbnail.data):
        stored = Image.open(io.BytesIO(encoded_bytes))
        assert stored.format == "JPEG"
        assert not stored.getexif()  # no GPS, no orientation, no camera
        assert b"Exif" not in encoded_bytes and b"PhoneMaker" not in encoded_bytes
        assert b"east gate" not in encoded_bytes  # the JPEG comment too
        assert "exif" not in stored.info and "xmp" not in stored.info
    # 400×200 turned by 90°: portrait now, the blue half on top.
    assert (result.image.width, result.image.height) == (200, 400)
    stored = Image.open(io.BytesIO(result.image.data)).convert("RGB")
    top, bottom = stored.getpixel((100, 50)), stored.getpixel((100, 350))
    assert top[2] > 150 > top[0] and bottom[0] > 150 > bottom[2]


def test_sizes_are_capped_and_a_thumbnail_is_made():
    result = photos.process(jpeg_with_exif((4000, 3000), orientation=1))
    assert (result.image.width, result.image.height) == (1600, 1200)
    assert (result.thumbnail.width, result.thumbnail.height) == (320, 240)
    assert Image.open(io.BytesIO(result.thumbnail.data)).size == (320, 240)
    assert Image.open(io.BytesIO(result.image.data)).info.get("progressive")
    small = photos.process(encoded("PNG", (300, 200)))
    assert (small.image.width, small.image.height) == (300, 200)  # never enlarged


@pytest.mark.parametrize(
    ("data", "source"),
    [
        (encoded("PNG"), photos.SourceType.png),
        (encoded("PNG", mode="RGBA"), photos.SourceType.png),
        (encoded("WEBP"), photos.SourceType.webp),
        (encoded("JPEG", mode="L"), photos.SourceType.jpeg),
    ],
)
def test_png_webp_and_jpeg_become_jpeg(data: bytes, source: photos.SourceType):
    result = photos.process(data)
    assert result.source_type is source
    assert result.content_type == "image/jpeg"
    assert Image.open(io.BytesIO(result.image.data)).mode == "RGB"


def test_heic_is_read_when_pillow_heif_is_there():
    if not photos.HEIC_SUPPORTED:
        pytest.skip("pillow-heif is not installed")
    try:
        data = encoded("HEIF")
    except (KeyError, OSError) as exc:  # a pillow-heif built without an HEVC encoder
        pytest.skip(f"cannot write HEIC here: {exc}")
    result = photos.process(data)
    assert result.source_type is photos.SourceType.heic
    assert (result.image.width, result.image.height) == (64, 48)


def test_the_type_is_decided_by_the_bytes():
    assert photos.sniff(b"just some text, named photo.jpg") is None
    assert photos.sniff(encoded("PNG")) is photos.SourceType.png
    assert photos.sniff(b"GIF89a" + bytes(20)) is None
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.process(b"hello, I am photo.jpg\n")
    assert refused.value.code == "unsupported_type"


def test_a_truncated_jpeg_is_unreadable():
    data = jpeg_with_exif((800, 600))
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.process(data[: len(data) // 2])
    assert refused.value.code == "unreadable"
    with pytest.raises(photos.PhotoRejected) as garbage:
        photos.process(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 50)
    assert garbage.value.code == "unreadable"


@pytest.mark.parametrize(
    "size",
    [
        (10_000, 6_000),  # 60 Mpx: more than a phone camera makes
        (30_000, 30_000),  # 900 Mpx: over Pillow's own limit
        (7_000, 7_000),  # 49 Mpx decoded whole (a PNG has no reduced decoding): a bomb
        (9_000, 1_000),  # 9 Mpx, but longer on a side than any camera's picture
    ],
)
def test_a_decompression_bomb_is_refused_before_decoding(size: tuple[int, int]):
    with pytest.raises(photos.PhotoRejected) as refused:
        photos.process(png_claiming(*size))
    assert refused.value.code == "too_many_pixels"


def test_a_phones_50_megapixel_jpeg_is_not_refused_for_its_pixels():
    # 8192×6144, a 50 Mpx sensor's full frame, claimed by a small JPEG: decoded (what
    # its data holds), never refused as too many pixels.
    try:
        photos.process(jpeg_claiming(8192, 6144))
    except photos.PhotoRejected as refused:
        assert refused.code != "too_many_pixels"


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header claims another size."""
    data = bytearray(encoded("JPEG", (16, 16)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_a_large_jpeg_is_decoded_at_the_smallest_scale_that_still_gives_1600_px(monkeypatch):
    """JPEG decodes straight at 1/2, 1/4 or 1/8 scale: for a 3200×2400 photo, 1/2 is
    still 1600 px on the long edge (and a quarter of the memory)."""
    from PIL import JpegImagePlugin

    decoded = []
    draft = JpegImagePlugin.JpegImageFile.draft

    def watched(self, mode, size):
        result = draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", watched)
    result = photos.process(encoded("JPEG", (3200, 2400)))
    assert decoded[0] == (1600, 1200)  # the first call decides the scale
    assert (result.image.width, result.image.height) == (1600, 1200)


async def test_at_most_a_few_photos_are_decoded_at_once(monkeypatch):
    import threading
    import time

    import anyio

    from service.collection import evidence

    running, most = 0, 0
    lock = threading.Lock()

    def slow(data: bytes) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return "done"

    monkeypatch.setattr(photos, "process", slow)
    async with anyio.create_task_group() as group:
        for _ in range(evidence.DECODE_SLOTS * 3):
            group.start_soon(evidence.processed, b"x")
    assert most == evidence.DECODE_SLOTS


# ---------------------------------------------------------------- storage


async def test_local_storage_writes_atomically_and_reads_back(tmp_path: Path):
    storage = LocalStorage(tmp_path / "media")
    await storage.put("photos/ab/abc.jpg", b"first", "image/jpeg")
    await storage.put("photos/ab/abc.jpg", b"second", "image/jpeg")
    assert await storage.get("photos/ab/abc.jpg") == b"second"
    assert [p.name for p in (tmp_path / "media" / "photos" / "ab").iterdir()] == ["abc.jpg"]
    await storage.delete("photos/ab/abc.jpg")
    await storage.delete("photos/ab/abc.jpg")  # already gone: nothing happens
    with pytest.raises(MissingObject):
        await storage.get("photos/ab/abc.jpg")


@pytest.mark.parametrize(
    "key",
    ["../secret", "photos/../../etc/passwd", "/etc/passwd", "photos//a", "a/./b", "A.jpg", ""],
)
async def test_keys_never_leave_the_root(tmp_path: Path, key: str):
    with pytest.raises(InvalidKey):
        check_key(key)
    with pytest.raises(InvalidKey):
        await LocalStorage(tmp_path).put(key, b"x", "image/jpeg")


async def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(InvalidKey):
        await LocalStorage(tmp_path / "media").put("link/a.jpg", b"x", "image/jpeg")
