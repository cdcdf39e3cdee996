"""Editing a campaign's policy from its page's fields."""

from service.rankings.policy import Combine, default_policy
from service.rankings.policy_form import policy_from_fields

FIELDS = {
    "self_percent": "30",
    "combine": "mean",
    "trim_from": "5",
    "spread_limit": "",
    "min_self_total": "80",
    "min_self_section_percent": "60",
    "require_form_eligibility": "self",
}


def test_fields_become_a_policy_keeping_what_the_page_does_not_edit():
    current = default_policy(tie_breaks=("section:s1", "judges_mean", "name"))
    policy, errors = policy_from_fields(current, FIELDS)
    assert errors == {}
    assert (policy.self_weight, policy.judges_weight) == (0.3, 0.7)
    assert policy.combine is Combine.mean and policy.spread_limit is None
    assert (policy.min_self_total, policy.min_self_section_percent) == (80, 60)
    assert policy.tie_breaks == current.tie_breaks  # not on the page: kept


def test_every_bad_field_is_reported_at_once():
    bad = {
        **FIELDS,
        "self_percent": "120",
        "combine": "median",
        "trim_from": "五",
        "spread_limit": "x",
    }
    policy, errors = policy_from_fields(default_policy(), bad)
    assert policy is None
    assert set(errors) == {"self_percent", "combine", "trim_from", "spread_limit"}


def test_the_policy_rules_still_apply():
    policy, errors = policy_from_fields(default_policy(), {**FIELDS, "trim_from": "2"})
    assert policy is None and "trim_from" in errors[""]
