"""The ranking: participant rows + a campaign's policy → ranked participants. Pure.

Per participant: the judges' combined score, the final score by the weights, the
judges' spread, eligibility with reasons, grade, award and rank. Scores are kept
unrounded here; `shown` rounds for display and storage.

Order: ranked participants by final score (highest first), then the policy's
tie-breaks in order; equal on all of them → the same rank (1, 2, 2, 4), listed by
name. The name never splits a tie: it is there so that the listing is stable. Then
the ineligible, then the incomplete, unranked, each with their reasons.

A ranking is always over the rows given: filter first (`filter_rows`, or `group=`) and
the ranks, the top-N awards and the ties are those of the group.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from itertools import groupby

from msgspec import Struct
from msgspec.structs import replace

from service.forms.model import Text
from service.forms.points import EPSILON
from service.scoring.numbers import number_text

from .groups import Group, group_value
from .history import Labelled, allowed_grade, award_blocked
from .inputs import ParticipantScores
from .policy import (
    FEWER_OPEN_MAJOR_HAZARDS,
    JUDGES_MEAN,
    SECTION_PREFIX,
    AwardRule,
    Combine,
    FormEligibility,
    GradeBand,
    GroupBy,
    Policy,
)


class Standing(enum.StrEnum):
    ranked = "ranked"
    ineligible = "ineligible"  # vetoed, or failed a gate: final for this round
    incomplete = "incomplete"  # a part is missing yet: it may still be ranked later


# gc=False here and on ParticipantScores: a ranking makes one per participant, and
# untracked they never bring on a full garbage collection (no cycles: plain values).
class Reason(Struct, frozen=True, gc=False):
    code: str  # a key of MESSAGES (veto_unstated is shown as veto)
    message: Text


class RankedParticipant(Struct, frozen=True, kw_only=True, gc=False):
    participant: ParticipantScores
    standing: Standing
    rank: int | None = None
    final: float | None = None  # unrounded; None while a weighted part is missing
    judges_score: float | None = None  # the judges combined (mean or trimmed mean)
    trimmed: bool = False  # the highest and the lowest judge were dropped
    spread: float | None = None  # highest judge − lowest judge, from two judges on
    disagreement: bool = False  # spread above the policy's spread_limit
    reasons: tuple[Reason, ...] = ()
    grade: str | None = None  # a GradeBand id of the policy
    award: str | None = None  # an AwardRule id of the policy
    # Why a grade or an award its score reached was not given (earlier rounds).
    withheld: tuple[Reason, ...] = ()


def rank(
    rows: Iterable[ParticipantScores], policy: Policy, *, group: Group | None = None
) -> list[RankedParticipant]:
    """Rank the participants (of `group` only, when given) under `policy`: the ranked
    first in rank order, then the ineligible, then the incomplete."""
    if group is not None:
        rows = (row for row in rows if group.matches(row))
    assessed = [assess(row, policy) for row in rows]
    ranked = [a for a in assessed if a.standing is Standing.ranked]
    keys = _rank_keys(ranked, policy)
    # Each key is built once: sorting, the competition ranks and the awards compare the
    # same keys. The position last keeps the sort stable and never compares participants.
    order = sorted(zip(keys, *_identities(ranked), range(len(ranked)), strict=True))
    ranked = [ranked[entry[-1]] for entry in order]
    keys = [entry[0] for entry in order]
    ranks = _competition_ranks(keys)
    awards, blocked = _awards(ranked, keys, policy)
    bands = sorted(policy.grades, key=lambda b: -b.min)
    ladder = [Labelled(b.id, b.label) for b in bands]
    labels = {b.id: b.label.zh for b in bands}
    result = []
    for i, (a, r) in enumerate(zip(ranked, ranks, strict=True)):
        reached = _grade(a.final, bands) if bands else None
        grade, rules = allowed_grade(reached, a.participant.history, ladder, policy.grade_after)
        withheld = [
            _reason("grade_withheld", grade=labels[rule.grade], after=labels[rule.after])
            for rule in rules
        ]
        withheld += blocked.get(i, [])
        result.append(
            replace(a, rank=r, grade=grade, award=awards.get(i), withheld=tuple(withheld))
        )
    for standing in (Standing.ineligible, Standing.incomplete):
        rest = [a for a in assessed if a.standing is standing]
        result += sorted(rest, key=lambda a: (_ahead(a.final), *_identity(a)))
    return result


def assess(row: ParticipantScores, policy: Policy) -> RankedParticipant:
    """One participant's scores, spread and standing under the policy (no rank yet)."""
    judges_score, trimmed = judges_combined(row, policy)
    spread = None
    if row.judges >= 2 and row.judges_min is not None and row.judges_max is not None:
        spread = row.judges_max - row.judges_min
    disagreement = (
        spread is not None
        and policy.spread_limit is not None
        and spread > policy.spread_limit + EPSILON
    )
    final = None
    self_part = 0.0 if policy.self_weight == 0 else row.self_total
    judges_part = 0.0 if policy.judges_weight == 0 else judges_score
    if self_part is not None and judges_part is not None:
        final = policy.self_weight * self_part + policy.judges_weight * judges_part
    blocking, missing = _reasons(row, policy)
    standing = Standing.ranked
    # A veto or a failed gate is decisive; a missing part may yet arrive.
    if blocking:
        standing = Standing.ineligible
    elif missing or final is None:
        standing = Standing.incomplete
    return RankedParticipant(
        participant=row,
        standing=standing,
        final=final,
        judges_score=judges_score,
        trimmed=trimmed,
        spread=spread,
        disagreement=disagreement,
        reasons=(*blocking, *missing),
    )


def judges_combined(row: ParticipantScores, policy: Policy) -> tuple[float | None, bool]:
    """The judges' combined score and whether it was trimmed (None without judges).

    Trimming one highest and one lowest needs only the sum, the extremes and the count:
    (sum − min − max) / (n − 2), so SQL gives four aggregates, not every score."""
    n = row.judges
    if n == 0:
        return None, False
    trim = policy.combine is Combine.trimmed_mean and n >= policy.trim_from
    if trim and (row.judges_min is None or row.judges_max is None):
        raise ValueError(f"{row.name}: {n} judges but no judges_min/judges_max to trim")
    if trim:
        value = (row.judges_sum - row.judges_min - row.judges_max) / (n - 2)  # type: ignore[operator]
    else:
        value = row.judges_sum / n
    # Float rounding in the subtraction can step a hair outside the judges' range.
    low, high = row.judges_min, row.judges_max
    if low is not None and high is not None:
        value = low if value < low else high if value > high else value
    return value, trim


def shown(value: float | None) -> float | None:
    """A score as displayed and stored: 2 decimals. Never compare these."""
    return None if value is None else round(value, 2)


# ---------------------------------------------------------------- eligibility


# Every reason a clerk reads, by its stable code: (Chinese, English) templates.
MESSAGES = {
    "veto": ("一票否决：{reason}", "Veto: {reason}"),
    "veto_unstated": ("{who}一票否决", "Vetoed"),
    "self_form_ineligible": (
        "自评未达到评分表的门槛或必备项要求",
        "The self-assessment fails the form's gates or mandatory items",
    ),
    "judges_form_ineligible": (
        "{n}位评委的评分未达到评分表的门槛或必备项要求",
        "{n} judge(s) found the form's gates or mandatory items not met",
    ),
    "self_below_min": (
        "自评{total}分，未达到{needed}分",
        "Self-assessment {total} is below {needed}",
    ),
    "self_section_below_min": (
        "自评有部分得分率为{lowest}%，未达到{needed}%",
        "A self-assessment section is at {lowest}%, below {needed}%",
    ),
    "no_self_assessment": ("尚未提交自评", "No self-assessment yet"),
    "too_few_judges": ("评委评分{n}份，需要{needed}份", "{n} of {needed} judges' scores"),
    "grade_withheld": (
        "上一轮未获{after}或以上等级，不能评为{grade}",
        "Not {after} or better in the previous round: cannot be {grade}",
    ),
    "award_withheld": (
        "{year}年已获{award}，{years}年内不再授予",
        "{award} won in {year}: not given again within {years} years",
    ),
}


def _reason(code: str, **values: object) -> Reason:
    zh, en = MESSAGES[code]
    return Reason(
        code.removesuffix("_unstated"), Text(zh=zh.format(**values), en=en.format(**values))
    )


def _reasons(row: ParticipantScores, policy: Policy) -> tuple[list[Reason], list[Reason]]:
    """(reasons it is ineligible, reasons it is incomplete)."""
    blocking = [_reason("veto", reason=r) for r in row.veto_reasons] if row.veto_reasons else []
    if not blocking and (row.self_vetoed or row.judges_vetoed):
        # Vetoed without a stated reason: still say who vetoed.
        who = "自评" if row.self_vetoed else f"{row.judges_vetoed}位评委"
        blocking.append(_reason("veto_unstated", who=who))
    form = policy.require_form_eligibility
    # self_eligible is False for a veto too; the veto already says why.
    if form is not FormEligibility.off and row.self_eligible is False and not row.self_vetoed:
        blocking.append(_reason("self_form_ineligible"))
    if form is FormEligibility.all and row.judges_ineligible:
        blocking.append(_reason("judges_form_ineligible", n=row.judges_ineligible))
    total, needed = row.self_total, policy.min_self_total
    if total is not None and needed is not None and total + EPSILON < needed:
        blocking.append(
            _reason("self_below_min", total=number_text(total), needed=number_text(needed))
        )
    lowest, percent = row.self_min_section_percent, policy.min_self_section_percent
    short = lowest is not None and percent is not None and lowest + EPSILON < percent
    if total is not None and short:
        blocking.append(
            _reason(
                "self_section_below_min", lowest=number_text(lowest), needed=number_text(percent)
            )
        )  # type: ignore[arg-type]
    missing = []
    needs_self = policy.self_weight > 0 or policy.min_self_total is not None
    if (needs_self or percent is not None) and total is None:
        missing.append(_reason("no_self_assessment"))
    needed_judges = max(policy.min_judges, 1)
    if policy.judges_weight > 0 and row.judges < needed_judges:
        missing.append(_reason("too_few_judges", n=row.judges, needed=needed_judges))
    return blocking, missing


# ---------------------------------------------------------------- order, ranks, awards

# One number per rule, smaller first; a missing value is +inf, after every score.
Key = tuple[float, ...]
_MISSING = math.inf


def _rank_keys(ranked: list[RankedParticipant], policy: Policy) -> list[Key]:
    """What decides rank: the final score, then each tie-break; smaller comes first.

    Scores are compared at 1e-6 (EPSILON: points come in 0.1 steps), so that float noise
    from adding in another order never splits a tie; the 2-decimal rounding is for
    display only and is never compared. Built a rule at a time over every participant
    (10,000 and more), which is several times faster than a participant at a time."""
    columns = [[a.final for a in ranked]]
    for rule in policy.tie_breaks:
        if rule == JUDGES_MEAN:
            columns.append([a.judges_score for a in ranked])
        elif rule.startswith(SECTION_PREFIX):
            section = rule.removeprefix(SECTION_PREFIX)
            columns.append([a.participant.section_means.get(section) for a in ranked])
        elif rule == FEWER_OPEN_MAJOR_HAZARDS:
            # Unknown (no hazard loop) after any known count; all unknown: no effect.
            columns.append([_negated(a.participant.open_major_hazards) for a in ranked])
        # NAME (and anything check_policy rejects) never decides rank.
    ahead = [[_MISSING if v is None else -round(v, 6) for v in column] for column in columns]
    return list(zip(*ahead, strict=True))


def _ahead(value: float | None) -> float:
    """Higher first, missing last: the sort key of one score."""
    return _MISSING if value is None else -round(value, 6)


def _negated(count: int | None) -> float | None:
    return None if count is None else -count


def _identity(a: RankedParticipant) -> tuple[str, int, int]:
    p = a.participant
    return (p.name, p.enterprise_id, -1 if p.team_id is None else p.team_id)


def _identities(ranked: list[RankedParticipant]) -> tuple[list, list, list]:
    """`_identity` of each, as three columns."""
    rows = [a.participant for a in ranked]
    return (
        [p.name for p in rows],
        [p.enterprise_id for p in rows],
        [-1 if p.team_id is None else p.team_id for p in rows],
    )


def _competition_ranks(keys: list[Key]) -> list[int]:
    """1, 2, 2, 4: a participant's rank is one more than the number strictly ahead
    (`keys` in rank order)."""
    ranks: list[int] = []
    previous: Key | None = None
    for position, current in enumerate(keys):
        ranks.append(ranks[-1] if current == previous else position + 1)
        previous = current
    return ranks


def _awards(
    ranked: list[RankedParticipant], keys: list[Key], policy: Policy
) -> tuple[dict[int, str], dict[int, list[Reason]]]:
    """Award ids by position in `ranked` (which is in rank order, `keys` its keys), and
    the reasons an award was withheld from those who would have won it but for an
    earlier win (`Policy.award_gaps`): they are not candidates, so a top-N place
    goes to the next one."""
    awarded: dict[int, str] = {}
    withheld: dict[int, list[Reason]] = {}
    for rule in policy.awards:
        pool = [
            i
            for i, a in enumerate(ranked)
            if i not in awarded and (rule.min_final is None or a.final + EPSILON >= rule.min_final)  # type: ignore[operator]
        ]
        blocked = {}
        if any(gap.award == rule.id for gap in policy.award_gaps):
            award = Labelled(rule.id, rule.label)
            for i in pool:
                found = award_blocked(award, ranked[i].participant.history, policy.award_gaps)
                if found is not None:
                    blocked[i] = found
        if blocked:
            for i in _winners(ranked, keys, rule, pool):
                if i in blocked:
                    gap, win = blocked[i]
                    reason = _reason(
                        "award_withheld", year=win.year, award=rule.label.zh, years=gap.years
                    )
                    withheld.setdefault(i, []).append(reason)
            pool = [i for i in pool if i not in blocked]
        for i in _winners(ranked, keys, rule, pool):
            awarded[i] = rule.id
    return awarded, withheld


def _winners(
    ranked: list[RankedParticipant], keys: list[Key], rule: AwardRule, pool: list[int]
) -> list[int]:
    """Who of `pool` (positions in rank order, all reaching the rule's minimum) wins."""
    if rule.top is None:
        return pool
    # Top N within each group, ties at the cut-off all in. An unknown group value
    # (no industry, no head count) is a group of its own.

    def by_group(i: int, per: GroupBy | None = rule.per) -> tuple[bool, str]:
        value = None if per is None else group_value(ranked[i].participant, per)
        return (value is None, value or "")

    winners = []
    for _, members in groupby(sorted(pool, key=lambda i: (by_group(i), i)), by_group):
        ordered = list(members)
        ranks = _competition_ranks([keys[i] for i in ordered])
        winners += [i for i, r in zip(ordered, ranks, strict=True) if r <= rule.top]
    return winners


def _grade(final: float | None, bands: list[GradeBand]) -> str | None:
    """The first band reached (`bands` highest first)."""
    for band in bands:
        if final is not None and final + EPSILON >= band.min:
            return band.id
    return None
