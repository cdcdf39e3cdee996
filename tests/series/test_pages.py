"""Series over real stored rounds: a campaign's round, the import of past results, and
the ranking withholding a grade or a title for what earlier rounds gave (and saying why)."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar.testing import TestClient

from service.accounts.audit import recent
from service.campaigns.queries import set_policy
from service.campaigns.tables import Campaign
from service.forms.model import Text
from service.orgs.tables import Enterprise
from service.publication.snapshot import SnapshotRow
from service.publication.tables import ResultSnapshot
from service.rankings.history import AwardGap, GradeAfter
from service.rankings.policy import AwardRule, GradeBand, Policy
from service.series.tables import PastTitle
from tests.campaigns.factories import add_campaign
from tests.collection.test_pages import csrf, signed_in
from tests.factories import in_database
from tests.publication.test_results import _publish
from tests.rankings.test_pages import _submit

BANDS = (
    GradeBand(id="aa", label=Text(zh="AA级"), min=18),
    GradeBand(id="a", label=Text(zh="A级"), min=10),
)
CLIMB = Policy(grades=BANDS, grade_after=(GradeAfter(grade="aa", after="a"),))


def _new_series(admin, name: str = "县安康杯") -> int:
    page = admin.get("/admin/series")
    assert page.status_code == 200
    made = admin.post(
        "/admin/series",
        data={"_csrf_token": csrf(page.text), "name": name, "kind": "ankang_cup", "town_id": "1"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    return int(made.headers["location"].rsplit("/", 1)[1])


def _set_round(admin, campaign_id: int, series_id: int, year: str) -> None:
    page = admin.get(f"/admin/campaigns/{campaign_id}")
    assert "系列与轮次" in page.text
    done = admin.post(
        f"/admin/campaigns/{campaign_id}/round",
        data={"_csrf_token": csrf(page.text), "series_id": str(series_id), "round_year": year},
        follow_redirects=False,
    )
    assert done.status_code == 303 and "round_error" not in done.headers["location"]


def _policy(world, policy: Policy) -> None:
    encoded = msgspec.json.encode(policy).decode()
    in_database(world["url"], lambda: set_policy(world["campaign"], encoded))


def _published_round(world, series_id: int, year: int, grade: str) -> None:
    """An earlier campaign of the series whose published result has "own" at `grade`."""

    async def make() -> None:
        [version] = await Campaign.select(Campaign.form_version).where(
            Campaign.id == world["campaign"]
        )
        earlier = await add_campaign(
            world["town"], version["form_version"], name="去年", status="closed"
        )
        await Campaign.update({Campaign.series: series_id, Campaign.round_year: year}).where(
            Campaign.id == earlier
        )
        row = SnapshotRow(
            rank=1, standing="ranked", enterprise_id=world["own"], name="测试企业00001",
            village="测试村", final=15.0, grade=grade,
        )  # fmt: skip
        now = dt.datetime.now(dt.UTC)
        await ResultSnapshot.insert(
            ResultSnapshot(
                campaign=earlier, number=1, created_at=now, form_version=version["form_version"],
                policy=msgspec.json.encode(Policy(grades=BANDS)).decode(), scores="[]",
                inputs="[]", result=msgspec.json.encode([row]).decode(), digest="x" * 64,
                participants=1, ranked=1, published_at=now,
            )
        )  # fmt: skip

    in_database(world["url"], make)


def test_aa_is_given_after_a_in_the_previous_published_round(app, world):
    _submit(app, "chair", world)  # 20 of 20: reaches AA (18)
    _submit(app, "judge", world)
    with signed_in(app, "clerk") as admin:
        series = _new_series(admin)
        _set_round(admin, world["campaign"], series, "2026")
        _published_round(world, series, 2025, grade="a")
        _policy(world, CLIMB)
        page = admin.get(f"/admin/campaigns/{world['campaign']}/rankings").text
        assert "AA级" in page and "不能评为" not in page
        assert "评为“AA级”须在本系列上一轮获得“A级”或以上等级" in page  # the policy in words
        assert "去年" in admin.get(f"/admin/series/{series}").text


def test_aa_is_withheld_without_a_in_the_previous_round_and_the_page_says_why(app, world):
    _submit(app, "chair", world)
    _submit(app, "judge", world)
    with signed_in(app, "clerk") as admin:
        series = _new_series(admin)
        _set_round(admin, world["campaign"], series, "2026")
        _published_round(world, series, 2023, grade="a")  # A, but not in the previous round
        _published_round(world, series, 2025, grade="")  # the previous round: nothing
        _policy(world, CLIMB)
        page = admin.get(f"/admin/campaigns/{world['campaign']}/rankings").text
        assert "上一轮未获A级或以上等级，不能评为AA级" in page
        # Frozen, the snapshot keeps the grade given and the reason.
        results = admin.get(f"/admin/campaigns/{world['campaign']}/results").text
        admin.post(
            f"/admin/campaigns/{world['campaign']}/status",
            data={"_csrf_token": csrf(results), "status": "closed"},
        )
        frozen = admin.post(
            f"/admin/campaigns/{world['campaign']}/results",
            data={"_csrf_token": csrf(results), "reason": ""},
            follow_redirects=False,
        )
        assert frozen.status_code == 303, frozen.text
        snapshot = admin.get(f"/admin/campaigns/{world['campaign']}/results/1").text
        assert "上一轮未获A级或以上等级，不能评为AA级" in snapshot and "A级" in snapshot
        assert _publish(admin, world, 1, contact="镇总工会").status_code == 303
    with TestClient(app) as anyone:  # the public notice says why, too
        assert (
            "上一轮未获A级或以上等级，不能评为AA级"
            in anyone.get(f"/results/{world['campaign']}").text
        )
        [row] = anyone.get(f"/api/v1/results/{world['campaign']}").json()["rows"]
        assert (row["grade"], row["withheld"]) == ("A级", ["上一轮未获A级或以上等级，不能评为AA级"])


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _codes(world) -> dict[str, str]:
    async def read() -> dict[str, str]:
        rows = await Enterprise.select(Enterprise.id, Enterprise.credit_code)
        return {r["id"]: r["credit_code"] for r in rows}

    codes = in_database(world["url"], read)
    return {"own": codes[world["own"]], "other": codes[world["other"]]}


def _import(admin, series: int, data: bytes):
    page = admin.get(f"/admin/series/{series}")
    return admin.post(
        f"/admin/series/{series}/history",
        data={"_csrf_token": csrf(page.text)},
        files={"file": ("往年.csv", data, "text/csv")},
    )


def test_a_past_results_file_reports_every_error_at_its_row_and_imports_once(app, world):
    own = _codes(world)["own"]
    with signed_in(app, "clerk") as admin:
        series = _new_series(admin)
        bad = _import(
            admin,
            series,
            _csv(
                "年度,统一社会信用代码,企业名称,等级,称号",
                f"2024,{own},测试企业00001,A级,",
                f"二〇二四,{own},测试企业00001,A级,",
                "2024,91330199MA2000010,别的企业,,优胜单位",
                f"2023,{own},测试企业00001,,",
            ),
        )
        assert bad.status_code == 400
        text = bad.text
        assert "年度“二〇二四”无法识别" in text
        assert "校验" in text or "统一社会信用代码" in text  # row 4: a wrong check character
        assert "等级和称号至少填一项" in text
        for row in ("<td>3</td>", "<td>4</td>", "<td>5</td>"):
            assert row in text
        assert "<td>2</td>" not in text  # the good row is not an error
        assert in_database(world["url"], lambda: PastTitle.count()) == 0  # all or nothing

        good = _csv("年度,统一社会信用代码,企业名称,称号", f"2024,{own},测试企业00001,优胜单位")
        first = _import(admin, series, good)
        assert first.status_code == 200 and "新增1条，替换0条，0条未变" in first.text
        again = _import(admin, series, good)  # the same file again: nothing changes
        assert again.status_code == 200 and "新增0条，替换0条，1条未变" in again.text
        assert in_database(world["url"], lambda: PastTitle.count()) == 1
        assert "2024" in admin.get(f"/admin/series/{series}").text
    events = [e["event"] for e in in_database(world["url"], lambda: recent(20))]
    assert events.count("series_history_imported") == 2


def test_a_title_won_within_five_years_is_withheld_and_passes_to_the_next(app, world):
    own = _codes(world)["own"]
    _submit(app, "chair", world)
    _submit(app, "judge", world)
    _policy(
        world,
        Policy(
            self_weight=0,
            judges_weight=1,
            awards=(AwardRule(id="win", label=Text(zh="优胜单位"), top=1),),
            award_gaps=(AwardGap(award="win", years=5),),
        ),
    )
    with signed_in(app, "clerk") as admin:
        series = _new_series(admin)
        _set_round(admin, world["campaign"], series, "2026")
        url = f"/admin/campaigns/{world['campaign']}/rankings"
        before = admin.get(url).text
        assert '<span class="tag tag-points">优胜单位</span>' in before  # no history: won
        _import(
            admin, series, _csv("年度,统一社会信用代码,企业名称,称号", f"2024,{own},甲,优胜单位")
        )
        page = admin.get(url).text
        assert "2024年已获优胜单位，5年内不再授予" in page
        # Won in 2021: five years before 2026 is outside the window.
        _import(
            admin, series, _csv("年度,统一社会信用代码,企业名称,称号", f"2021,{own},甲,优胜单位")
        )
        assert "2024年已获优胜单位" in admin.get(url).text  # 2024 still counts


def test_an_admin_sets_the_rules_over_rounds_in_the_policy_editor(app, world):
    from service.campaigns.queries import get_campaign

    _policy(world, Policy(grades=BANDS))
    url = f"/admin/campaigns/{world['campaign']}"
    fields = {
        "self_percent": "20",
        "combine": "trimmed_mean",
        "trim_from": "5",
        "spread_limit": "10",
        "min_self_total": "",
        "min_self_section_percent": "",
        "require_form_eligibility": "self",
    }
    with signed_in(app, "clerk") as admin:
        page = admin.get(url).text
        assert "系列往轮规则" in page and "尚未属于任何系列" in page
        refused = admin.post(
            f"{url}/policy",
            data={
                "_csrf_token": csrf(page), **fields,
                "grade_after-0-grade": "aa", "grade_after-0-after": "aa",
                "award_gap-0-award": "", "award_gap-0-years": "5",
            },
        )  # fmt: skip
        assert refused.status_code == 400
        assert "不能以自身为条件" in refused.text and "请从选项中选择" in refused.text
        saved = admin.post(
            f"{url}/policy",
            data={
                "_csrf_token": csrf(page), **fields,
                "grade_after-0-grade": "aa", "grade_after-0-after": "a",
            },
            follow_redirects=False,
        )  # fmt: skip
        assert saved.status_code == 303
        stored = in_database(world["url"], lambda: get_campaign(world["campaign"]))
        assert msgspec.json.decode(stored["policy"], type=Policy).grade_after == (
            GradeAfter(grade="aa", after="a"),
        )
        assert "评为“AA级”须在本系列上一轮获得“A级”或以上等级" in admin.get(url).text
