"""Decoding uploaded photos at once: time and peak memory of N concurrent uploads.

Run:  .venv/bin/python bench/photo_decode.py             # 8 at once, every kind
      .venv/bin/python bench/photo_decode.py -n 16 --kind png-bomb

Each kind runs in a fresh process (so that its peak memory is its own) and decodes the
same picture N times at once through the service's decode path: `evidence.processed`
(a worker thread, at most DECODE_SLOTS at once), or on older code what `evidence.attach`
did (`anyio.to_thread.run_sync(photos.process, …)`, as many as came). Kinds:

- png-bomb: a 7000×7000 PNG of one colour (about 47 KB; issue 15 found eight at once
  took 41 s and 4.4 GB); refused before decoding where the pixel caps say so;
- jpeg-50mp: an 8160×6120 JPEG (a 50 Mpx phone's frame), decoded at a reduced scale;
- png-12mp: a 4000×3000 PNG (a large screenshot or an edited picture), decoded whole.

Prints per kind: accepted or refused, wall time of the N, and the process's peak
resident memory above what it held before (ru_maxrss).
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KINDS = {
    "png-bomb": ("PNG", (7000, 7000)),
    "jpeg-50mp": ("JPEG", (8160, 6120)),
    "png-12mp": ("PNG", (4000, 3000)),
}


def picture(kind: str, folder: Path) -> Path:
    """The picture of a kind, made once and kept in `folder`."""
    from PIL import Image, ImageDraw

    format_, size = KINDS[kind]
    path = folder / f"ankang-bench-{kind}.{format_.lower()}"
    if not path.exists():
        image = Image.new("RGB", size, (200, 60, 40))
        if kind != "png-bomb":  # some edges for the encoder, as a real picture has
            draw = ImageDraw.Draw(image)
            for x in range(0, size[0], 97):
                draw.line([(x, 0), (size[0] - x, size[1])], fill=(x % 255, 90, 160), width=3)
        buffer = io.BytesIO()
        image.save(buffer, format_, **({"quality": 90} if format_ == "JPEG" else {}))
        path.write_bytes(buffer.getvalue())
    return path


def run_one(path: Path, concurrent: int) -> None:
    """In the child process: decode the file `concurrent` times at once, print a line."""
    import anyio

    from service.collection import evidence, photos

    data = path.read_bytes()
    decode = getattr(evidence, "processed", None)
    if decode is None:  # the code before bounded decoding

        async def decode(content: bytes) -> photos.ProcessedPhoto:
            return await anyio.to_thread.run_sync(photos.process, content)

    outcomes: list[str] = []

    async def one() -> None:
        try:
            await decode(data)
            outcomes.append("accepted")
        except photos.PhotoRejected as exc:
            outcomes.append(f"refused ({exc.code})")

    async def all_at_once() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(concurrent):
                group.start_soon(one)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    anyio.run(all_at_once)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB on Linux
    print(
        f"{path.name:32} {len(data) / 1024:8.0f} KB  x{concurrent}  "
        f"{', '.join(sorted(set(outcomes))):24} {seconds:7.2f} s  {peak / 1024:7.0f} MB peak"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--concurrent", type=int, default=8)
    parser.add_argument("--kind", choices=sorted(KINDS), action="append")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child, args.concurrent)
        return 0
    folder = Path(tempfile.gettempdir())
    for kind in args.kind or list(KINDS):
        path = picture(kind, folder)
        command = [sys.executable, __file__, "--child", str(path), "-n", str(args.concurrent)]
        subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
