"""A final score above full marks says why: bonus items lifted it over the maximum."""

from __future__ import annotations

import pytest

from service.web.i18n import current_language
from service.web.templating import build_environment

SHOWN = "{% from 'rankings/_score.html' import final_score %}{{ final_score(value, full) }}"


def _shown(value: float | None, full: float | None, lang: str = "zh") -> str:
    token = current_language.set(lang)
    try:
        return build_environment().from_string(SHOWN).render(value=value, full=full)
    finally:
        current_language.reset(token)


def test_a_score_above_full_marks_says_how_much_the_bonus_added():
    assert "含加分，超出满分 3 分" in _shown(103, 100)
    assert "含加分，超出满分 1.5 分" in _shown(101.5, 100)
    assert "incl. bonus: 3 above full marks" in _shown(103, 100, "en")


@pytest.mark.parametrize(("value", "full"), [(100, 100), (87.5, 100), (103, None)])
def test_a_score_within_full_marks_has_no_note(value, full):
    shown = _shown(value, full)
    assert "加分" not in shown and "<strong>" in shown


def test_a_missing_score_is_a_dash():
    assert _shown(None, 100) == "—"
