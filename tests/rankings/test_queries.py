"""The rankings query: one row per participant with hand-computed aggregates.

The campaign, on the small scored form below (first: a 4 + b 6 + a veto question;
second: c 5 + d 5; max 20; eligible from 12 points):

| participant | self-assessment | judges |
|---|---|---|
| 甲 | 15 (first 10/10, second 5/10) | J1 20; J2 16 (first 6); J3 20 vetoed |
| 甲 · 一班 | 20 vetoed | J1 15 vetoed (the same reason) |
| 乙 | a draft only | J1 10 (ineligible, first 0); J2 a draft only |
| 丙 (西村, 化工, state-owned) | rev. 1: 20 vetoed; rev. 2: 14 (first 4/10); rev. 3 drafted | none |

Plus what must never count: a supervisor's inspection of 甲 in the campaign, and a
judge's evaluation of 甲 in another campaign.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from service.accounts.users import create_user
from service.campaigns.tables import Participant
from service.collection import queries as collection
from service.forms.model import FormDefinition
from service.orgs.tables import Enterprise, Team
from service.rankings.inputs import ParticipantScores
from service.rankings.queries import participant_scores
from service.scoring.engine import score
from tests.campaigns.factories import add_campaign, add_town
from tests.collection.factories import draft, stored_form
from tests.factories import form_data

VETO = "发生重伤事故"
FORM = form_data(
    id="rankings-test-form",
    sections=[
        {
            "id": "first",
            "title": "第一部分",
            "points": 10,
            "items": [
                {"id": "a", "type": "check", "label": "甲", "points": 4},
                {"id": "b", "type": "check", "label": "乙", "points": 6},
                {
                    "id": "accident",
                    "type": "check",
                    "label": "发生事故",
                    "good": "no",
                    "veto": {"when": "yes", "reason": VETO},
                    "allow_na": False,
                },
            ],
        },
        {
            "id": "second",
            "title": "第二部分",
            "points": 10,
            "items": [
                {"id": "c", "type": "check", "label": "丙", "points": 5},
                {"id": "d", "type": "check", "label": "丁", "points": 5},
            ],
        },
    ],
    scoring={"max": 20, "gates": [{"min_total": 12}]},
)


def answers(fail: str = "", accident: str = "no") -> dict[str, str]:
    """Every check met but the items named in `fail`."""
    return {item: "no" if item in fail else "yes" for item in "abcd"} | {"accident": accident}


class Scene:
    def __init__(self, form_version_id: int, definition: FormDefinition) -> None:
        self.form_version_id = form_version_id
        self.definition = definition

    async def submitted(self, author: int, role: str, given: dict[str, str], **fields: Any):
        new = draft(self.form_version_id, author, role=role, **fields)
        body_hash = hashlib.sha256(repr(given).encode()).hexdigest()
        assert await collection.insert_submitted(
            new, given, score(self.definition, given), body_hash
        )
        return new.id

    async def drafted(self, author: int, role: str, given: dict[str, str], **fields: Any):
        new = draft(self.form_version_id, author, role=role, **fields)
        assert await collection.start_draft(new)
        assert await collection.save_draft(new.id, given)

    async def corrected(self, submission_id, author: int, given: dict[str, str]) -> None:
        assert await collection.start_correction(submission_id, author)
        assert await collection.save_draft(submission_id, given)
        row = await collection.find(submission_id)
        assert await collection.submit(
            row, given, score(self.definition, given), author, reason="复核"
        )


@pytest.fixture
async def campaign(database: object) -> dict[str, int]:
    form_version_id, definition = await stored_form(FORM)
    scene = Scene(form_version_id, definition)
    ids = await add_town("安康镇", {"东村": ["甲", "乙"], "西村": ["丙"]})
    await Enterprise.update(
        {Enterprise.industry: "化工", Enterprise.ownership: "state_owned"}
    ).where(Enterprise.id == ids["丙"])
    [team] = await Team.insert(Team(enterprise=ids["甲"], name="一班"))
    campaign_id = await add_campaign(
        ids["town"],
        form_version_id,
        enterprises=[ids["甲"], ids["乙"], ids["丙"]],
        self_assessment=True,
        judges=True,
    )
    await Participant.insert(
        Participant(campaign=campaign_id, enterprise=ids["甲"], team=team["id"])
    )
    other_campaign = await add_campaign(ids["town"], form_version_id, enterprises=[ids["甲"]])
    filler = await create_user("filler", "企业填表人", "correct-horse-42", [])
    j1, j2, j3 = [await create_user(f"j{n}", f"评委{n}", "correct-horse-42", []) for n in (1, 2, 3)]
    inspector = await create_user("inspector", "监督员", "correct-horse-42", [])

    jia = {"campaign_id": campaign_id, "enterprise_id": ids["甲"]}
    await scene.submitted(filler, "enterprise", answers("d"), **jia)  # 15
    await scene.submitted(j1, "judge", answers(), **jia)  # 20
    await scene.submitted(j2, "judge", answers("a"), **jia)  # 16
    await scene.submitted(j3, "judge", answers(accident="yes"), **jia)  # 20, vetoed
    await scene.submitted(inspector, "supervisor", answers("abcd"), **jia)  # not a scorer
    await scene.submitted(
        j3, "judge", answers("abcd"), campaign_id=other_campaign, enterprise_id=ids["甲"]
    )

    team_of_jia = {**jia, "team_id": team["id"]}
    await scene.submitted(filler, "enterprise", answers(accident="yes"), **team_of_jia)  # 20 vetoed
    await scene.submitted(j1, "judge", answers("d", accident="yes"), **team_of_jia)  # 15 vetoed

    yi = {"campaign_id": campaign_id, "enterprise_id": ids["乙"]}
    await scene.drafted(filler, "enterprise", answers(), **yi)
    await scene.submitted(j1, "judge", answers("ab"), **yi)  # 10: below the 12-point gate
    await scene.drafted(j2, "judge", answers(), **yi)

    bing = {"campaign_id": campaign_id, "enterprise_id": ids["丙"]}
    self_bing = await scene.submitted(filler, "enterprise", answers(accident="yes"), **bing)
    await scene.corrected(self_bing, filler, answers("b"))  # revision 2: 14, no veto
    assert await collection.start_correction(self_bing, filler)  # counts as revision 2
    assert await collection.save_draft(self_bing, answers("abcd"))

    village = await Enterprise.select(Enterprise.village).where(Enterprise.id == ids["甲"]).first()
    return {
        **ids,
        "campaign": campaign_id,
        "team": team["id"],
        "east": village["village"],
        "form_version": form_version_id,
    }


def by_name(rows: list[ParticipantScores]) -> dict[str, ParticipantScores]:
    return {row.name: row for row in rows}


async def test_every_aggregate_by_hand(campaign: dict[str, int]) -> None:
    rows = await participant_scores(campaign["campaign"], section_ids=["first", "second"])
    assert [(r.enterprise_id, r.team_id) for r in rows] == [
        (campaign["甲"], None),
        (campaign["甲"], campaign["team"]),
        (campaign["乙"], None),
        (campaign["丙"], None),
    ]
    found = by_name(rows)
    assert found["甲"] == ParticipantScores(
        enterprise_id=campaign["甲"],
        name="甲",
        village="东村",
        industry="机械制造",
        ownership="non_public",
        self_total=15.0,
        self_eligible=True,
        self_vetoed=False,
        self_min_section_percent=50.0,
        judges=3,
        judges_sum=56.0,
        judges_min=16.0,
        judges_max=20.0,
        judges_vetoed=1,
        judges_ineligible=1,
        veto_reasons=(VETO,),
        section_means={"first": pytest.approx(26 / 3), "second": 10.0},
    )
    assert found["甲 · 一班"] == ParticipantScores(
        enterprise_id=campaign["甲"],
        team_id=campaign["team"],
        name="甲 · 一班",
        village="东村",
        industry="机械制造",
        ownership="non_public",
        self_total=20.0,
        self_eligible=False,
        self_vetoed=True,
        self_min_section_percent=100.0,
        judges=1,
        judges_sum=15.0,
        judges_min=15.0,
        judges_max=15.0,
        judges_vetoed=1,
        judges_ineligible=1,
        veto_reasons=(VETO,),  # the self's and the judge's reason, once
        section_means={"first": 10.0, "second": 5.0},
    )
    assert found["乙"] == ParticipantScores(
        enterprise_id=campaign["乙"],
        name="乙",
        village="东村",
        industry="机械制造",
        ownership="non_public",
        judges=1,  # the drafts count for nothing
        judges_sum=10.0,
        judges_min=10.0,
        judges_max=10.0,
        judges_ineligible=1,
        section_means={"first": 0.0, "second": 10.0},
    )
    assert found["丙"] == ParticipantScores(
        enterprise_id=campaign["丙"],
        name="丙",
        village="西村",
        industry="化工",
        ownership="state_owned",
        self_total=14.0,  # revision 2, while revision 3 is being drafted
        self_eligible=True,
        self_vetoed=False,  # revision 1's veto was corrected away
        self_min_section_percent=40.0,
        section_means={"first": 4.0, "second": 10.0},  # no judge: the self scores
    )
    for row in rows:
        assert type(row.judges_sum) is float and type(row.judges) is int


async def test_without_tie_break_sections(campaign: dict[str, int]) -> None:
    rows = await participant_scores(campaign["campaign"])
    assert all(row.section_means == {} for row in rows)
    assert by_name(rows)["甲"].self_min_section_percent == 50.0
    assert by_name(rows)["甲"].judges_sum == 56.0


async def test_filters_narrow_the_participants(campaign: dict[str, int]) -> None:
    east = await participant_scores(campaign["campaign"], village_id=campaign["east"])
    assert [row.name for row in east] == ["甲", "甲 · 一班", "乙"]
    assert by_name(east)["甲"].veto_reasons == (VETO,)
    for filters in ({"industry": "化工"}, {"ownership": "state_owned"}):
        [only] = await participant_scores(campaign["campaign"], **filters)
        assert (only.name, only.self_total) == ("丙", 14.0)
    assert (
        await participant_scores(campaign["campaign"], village_id=campaign["east"], industry="化工")
        == []
    )


async def test_a_campaign_without_submissions(campaign: dict[str, int]) -> None:
    campaign_id = await add_campaign(
        campaign["town"], campaign["form_version"], enterprises=[campaign["乙"]]
    )
    [row] = await participant_scores(campaign_id, section_ids=["first"])
    assert row == ParticipantScores(
        enterprise_id=campaign["乙"],
        name="乙",
        village="东村",
        industry="机械制造",
        ownership="non_public",
    )
