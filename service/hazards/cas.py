"""CAS registry numbers (CAS号) of chemical information cards. Pure.

The check itself is the form language's (`forms.answers.is_cas_number`, used by the
`cas` text format), so a card typed here and one filled as a form agree on what
a valid number is; this module only tidies what a clerk types first.
"""

from __future__ import annotations

import unicodedata

from service.forms.answers import is_cas_number

# Hyphens an input method may produce instead of "-".
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－"), "-")


def normalise_cas(text: str) -> str:
    """As typed on a phone to the canonical form: full-width digits and dashes made
    ASCII (NFKC), other dashes made "-", spaces dropped."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return "".join(folded.split())


def valid_cas(text: str) -> bool:
    """Is `text` a CAS registry number whose check digit holds? "7664-41-7": yes."""
    value = normalise_cas(text)
    return value.isascii() and is_cas_number(value)
