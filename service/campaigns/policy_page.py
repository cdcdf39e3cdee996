"""The scoring policy on a campaign's page: what its editor needs from the campaign's
form, and the words for the editor's choices and problems in the page's language.
Reading the fields is pure (`service.rankings.policy_form`)."""

from __future__ import annotations

from typing import Any, NamedTuple

from service.forms import catalog
from service.forms.model import text
from service.rankings.policy import (
    FEWER_OPEN_MAJOR_HAZARDS,
    JUDGES_MEAN,
    SECTION_PREFIX,
    GradeBand,
    GroupBy,
    Policy,
    default_policy,
    describe,
)
from service.rankings.policy_form import DEFAULT_MAX_SCORE, PolicyForm, policy_form
from service.rankings.policy_lists import MESSAGES, PolicyProblem, tie_break_choices
from service.rankings.standings import campaign_policy
from service.web.i18n import _l, current_language
from service.web.i18n import gettext_ as _
from service.web.templating import number

GROUP_LABELS = {
    "": _l("All participants together"),
    GroupBy.village.value: _l("In each village/community"),
    GroupBy.industry.value: _l("In each industry"),
    GroupBy.ownership.value: _l("In each ownership type"),
    GroupBy.size_band.value: _l("In each size band"),
}


class PolicySetting(NamedTuple):
    """A campaign's policy with what editing it depends on from the campaign's form."""

    policy: Policy
    form_grades: tuple[GradeBand, ...]  # the bands "reset to the form's grades" gives
    sections: dict[str, str]  # the form's sections: id → title in the page's language
    max_score: float  # the form's maximum: the scale of grade and award thresholds


async def policy_setting(campaign: dict) -> PolicySetting:
    definition = await catalog.definition_by_id(
        campaign["form_version_id"], campaign["content_hash"]
    )
    lang = current_language.get()
    scoring = definition.scoring if definition else None
    return PolicySetting(
        policy=campaign_policy(campaign, definition),
        form_grades=default_policy(scoring.grades if scoring else ()).grades,
        sections={s.id: text(s.title, lang) for s in definition.sections} if definition else {},
        max_score=scoring.max if scoring else DEFAULT_MAX_SCORE,
    )


def policy_context(setting: PolicySetting, editing: PolicyForm | None = None) -> dict[str, Any]:
    """The campaign page's policy section: the policy in words and its editor, showing
    the stored policy or, after a refused save, `editing` as typed."""
    policy = setting.policy
    limit = number(setting.max_score)

    def policy_error(problem: PolicyProblem) -> str:
        return _(MESSAGES[problem]) % {"max": limit}

    return {
        "policy": policy,
        "policy_text": describe(policy, current_language.get(), setting.sections),
        "policy_form": editing or policy_form(policy, sections=setting.sections),
        "policy_max": limit,
        "policy_error": policy_error,
        "tie_break_options": [
            (rule, _tie_break_label(rule, setting.sections))
            for rule in tie_break_choices(setting.sections)
        ],
        "award_groups": [(value, _(label)) for value, label in GROUP_LABELS.items()],
    }


def _tie_break_label(rule: str, sections: dict[str, str]) -> str:
    if rule == JUDGES_MEAN:
        return _("Higher judges' score")
    if rule == FEWER_OPEN_MAJOR_HAZARDS:
        return _("Fewer open major hazards")
    section = rule.removeprefix(SECTION_PREFIX)
    return _("Higher score in “%(section)s”") % {"section": sections.get(section, section)}
