"""Languages: Chinese first, English on request.

Messages are gettext catalogs managed with Babel (English msgids, zh_CN catalog).
The compiled .mo is built at set-up (`make locale`) and not committed; if it is
missing or older than its .po, the catalog is compiled in memory at start-up.
"""

from __future__ import annotations

import gettext
import io
import logging
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT_LANGUAGE = "zh"
LANGUAGES = {"zh": "zh_CN", "en": "en"}  # our code -> catalog locale

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)
# True when the page was asked for with ?lang=…, so links keep carrying the choice.
language_in_query: ContextVar[bool] = ContextVar("language_in_query", default=False)


@cache
def translations(language: str) -> gettext.NullTranslations:
    locale = LANGUAGES.get(language)
    if locale is None or language == "en":
        return gettext.NullTranslations()  # msgids are English
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.exists():
        log.warning("no catalog for %s", locale)
        return gettext.NullTranslations()
    log.info("compiling %s in memory (run `make locale` to build it once)", po_path)
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _l(message: str) -> str:
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


def gettext_(message: str) -> str:
    return translations(current_language.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(current_language.get()).ngettext(singular, plural, n)


def negotiate(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """?lang= wins, then the remembered choice, then the browser's preference, then Chinese."""
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LANGUAGE
