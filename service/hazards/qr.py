"""QR codes drawn on the server as SVG (segno): no script, no image service.

The SVG holds only segno's path data (the encoded text never appears in it as
markup), so it is safe to place inline in a page.
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(text: str, *, scale: int = 4) -> str:
    """`text` as a QR code in SVG, scalable (a viewBox and no fixed size), with a
    quiet zone; error correction M survives a scuffed card on a workshop wall."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        nl=False,
        scale=scale,
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
        dark="#000",
        light="#fff",
    )
    return out.getvalue().decode()


def qr_inline(text: str) -> Markup:
    """The QR code for a page (trusted markup: see the module's note)."""
    return Markup(qr_svg(text))  # segno's own path data: no user text
