"""The Jinja2 environment: autoescaping, gettext, and helpers every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from service.scoring.numbers import number_text
from service.settings import PROJECT_ROOT

from .i18n import _l, current_language, gettext_, language_in_query, ngettext_
from .urls import safe_next

TEMPLATE_DIR = PROJECT_ROOT / "templates"


def localize(label: object) -> str:
    """A label (plain Chinese text or a {zh, en} pair) in the current language."""
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    english = getattr(label, "en", None)
    if current_language.get() == "en" and english:
        return english
    return getattr(label, "zh", str(label))


def number(value: float | None) -> str:
    """Scores as a clerk writes them: 8, 7.5, 0.25 — no trailing zeros."""
    return "—" if value is None else number_text(value)


def with_lang(path: str) -> str:
    """A link that keeps an explicitly chosen language (?lang=…)."""
    if not language_in_query.get():
        return path
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}lang={current_language.get()}"


@pass_context
def here(context: Any) -> str:
    """This page's path and query, for coming back after a form (e.g. the language switch)."""
    request = context.get("request")
    if request is None:
        return "/"
    query = request.url.query
    return safe_next(request.url.path + (f"?{query}" if query else ""))


KIND_LABELS = {
    "scored": _l("Scored evaluation"),
    "checklist": _l("Checklist"),
    "register": _l("Register card"),
    "report": _l("Report"),
}
ROLE_LABELS = {
    "admin": _l("Union staff"),
    "supervisor": _l("Safety supervisor"),
    "enterprise": _l("Enterprise"),
    "judge": _l("Judge"),
}


OWNERSHIP_LABELS = {
    "state_owned": _l("State-owned"),
    "non_public": _l("Non-public"),
    "mixed": _l("Mixed ownership"),
}


def ownership_label(ownership: str) -> str:
    return gettext_(OWNERSHIP_LABELS.get(ownership, ownership))


def kind_label(kind: str) -> str:
    return gettext_(KIND_LABELS.get(kind, kind))


def role_label(role: str) -> str:
    return gettext_(ROLE_LABELS.get(role, role))


def build_environment(template_dir: Path = TEMPLATE_DIR) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(template_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(gettext_, ngettext_, newstyle=True)  # type: ignore[attr-defined]
    environment.filters["t"] = localize
    environment.filters["number"] = number
    environment.globals.update(
        lang=current_language.get,
        with_lang=with_lang,
        here=here,
        kind_label=kind_label,
        role_label=role_label,
        ownership_label=ownership_label,
    )
    return environment


def template_config(extra_globals: dict[str, Any] | None = None) -> TemplateConfig:
    environment = build_environment()
    environment.globals.update(extra_globals or {})
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))
