"""Freezing a campaign's result, publishing it for public notice, confirming it, and a
correction afterwards: over real stored submissions, through the pages."""

from __future__ import annotations

import datetime as dt
import re

from litestar.testing import TestClient

from service.accounts.audit import recent
from service.publication import queries
from tests.collection.test_pages import csrf, fill_complete, save, signed_in, start_own
from tests.factories import in_database


def _submit(app, username: str, world) -> str:
    with signed_in(app, username) as client:
        path = start_own(client, world)
        fill_complete(client, path)
        client.post(f"{path}/submit", data={"_csrf_token": csrf(client.get(f"{path}/review").text)})
    return path


def _status(admin: TestClient, world, status: str) -> None:
    page = admin.get(f"/admin/campaigns/{world['campaign']}").text
    response = admin.post(
        f"/admin/campaigns/{world['campaign']}/status",
        data={"_csrf_token": csrf(page), "status": status, "confirmed": "1"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def _freeze(admin: TestClient, world, reason: str = "", **confirmation: str):
    """Freeze, confirmed (also with nobody ranked) unless `confirmation` says otherwise."""
    url = f"/admin/campaigns/{world['campaign']}/results"
    confirmation = {"confirmed": "1", "nobody_ranked": "1", **confirmation}
    return admin.post(
        url,
        data={"_csrf_token": csrf(admin.get(url).text), "reason": reason, **confirmation},
        follow_redirects=False,
    )


def _publish(
    admin: TestClient,
    world,
    number: int,
    days: str = "7",
    contact: str = "镇总工会 0571-1234",
    confirmed: str = "1",
):
    url = f"/admin/campaigns/{world['campaign']}/results"
    fields = {"days": days, "contact": contact, "confirmed": confirmed}
    return admin.post(
        f"{url}/{number}/publish",
        data={"_csrf_token": csrf(admin.get(url).text), **fields},
        follow_redirects=False,
    )


def test_a_result_is_frozen_published_and_shown_to_anyone(app, world):
    _submit(app, "chair", world)
    _submit(app, "judge", world)
    campaign = world["campaign"]
    with signed_in(app, "clerk") as admin:
        early = _freeze(admin, world)
        assert early.status_code == 400 and "请先结束" in early.text  # scoring still open
        _status(admin, world, "closed")
        frozen = _freeze(admin, world)
        assert frozen.status_code == 303
        assert frozen.headers["location"] == f"/admin/campaigns/{campaign}/results/1?frozen=1"
        page = admin.get(frozen.headers["location"]).text
        assert "测试企业00001" in page and "测试企业00002" in page  # every participant
        again = _freeze(admin, world, reason="再冻结")  # same scores, e.g. a second click
        assert again.headers["location"] == f"/admin/campaigns/{campaign}/results/1?unchanged=1"
        assert "没有变化" in admin.get(again.headers["location"]).text
        assert [
            s.number for s in in_database(world["url"], lambda: queries.snapshots(campaign))
        ] == [1]
        unpublished = admin.get(f"/results/{campaign}")
        assert unpublished.status_code == 404  # not published: not even for its admin
        published = _publish(admin, world, 1, days="5", contact="镇总工会 0571-1234")
        assert published.status_code == 303
        twice = _publish(admin, world, 1, days="9")  # a second click: no change, no error
        assert twice.status_code == 303
    with TestClient(app) as anyone:  # nobody signed in
        notice = anyone.get(f"/results/{campaign}")
        assert notice.status_code == 200
        text = notice.text
        assert "测试企业00001" in text and "镇总工会 0571-1234" in text
        assert "测试企业00002" not in text  # not ranked: counted, not named
        assert "另有 1 家参评单位未列入排名" in text
        last_day = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date() + dt.timedelta(days=4)
        assert last_day.isoformat() in text  # five days, the first counted
        assert anyone.get(f"/results/{campaign}?q=不存在").text.count("测试企业00001") == 0
        assert anyone.get("/results").text.count(f"/results/{campaign}") >= 1
        api = anyone.get(f"/api/v1/results/{campaign}").json()
        assert (api["number"], api["stage"], api["unranked"]) == (1, "on_notice", 1)
        assert [(r["rank"], r["name"], r["final"]) for r in api["rows"]] == [
            (1, "测试企业00001", 20)
        ]
    events = [e["event"] for e in in_database(world["url"], lambda: recent(20))]
    assert events.count("result_published") == 1 and events.count("result_frozen") == 1


def test_a_correction_makes_a_new_snapshot_and_the_notice_shows_what_changed(app, world):
    chair_path = _submit(app, "chair", world)
    _submit(app, "judge", world)
    campaign = world["campaign"]
    with signed_in(app, "clerk") as admin:
        _status(admin, world, "closed")
        _freeze(admin, world)
        _publish(admin, world, 1)
        _status(admin, world, "open")  # an objection: the self-assessment is corrected
    with signed_in(app, "chair") as chair:
        chair.post(
            f"{chair_path}/correction", data={"_csrf_token": csrf(chair.get(chair_path).text)}
        )
        save(chair, chair_path, "safety", accident="yes")  # a fatal accident: a veto
        review = chair.get(f"{chair_path}/review").text
        chair.post(f"{chair_path}/submit", data={"_csrf_token": csrf(review), "reason": "漏报事故"})
    with TestClient(app) as anyone:  # the published notice did not change by itself
        assert "测试企业00001" in anyone.get(f"/results/{campaign}").text
    with signed_in(app, "clerk") as admin:
        _status(admin, world, "closed")
        results = admin.get(f"/admin/campaigns/{campaign}/results").text
        assert "分数有变化" in results or "1 个参评单位" in results  # live vs snapshot 1
        assert _freeze(admin, world).status_code == 400  # a later snapshot needs its reason
        assert _freeze(admin, world, reason="复核：漏报死亡事故").status_code == 303
        before = in_database(world["url"], lambda: queries.snapshots(campaign))
        assert [s.number for s in before] == [2, 1]
        assert _publish(admin, world, 2).status_code == 303
        after = in_database(world["url"], lambda: queries.snapshots(campaign))
        assert after[1].digest == before[1].digest  # snapshot 1 is untouched
    with TestClient(app) as anyone:
        text = anyone.get(f"/results/{campaign}").text
        assert "复核：漏报死亡事故" in text
        start = text.index("变化")
        changed = text[start : text.index("</table>", start)]
        assert "测试企业00001" in changed and re.search(r"1\s*→\s*—", changed)
        assert "未列入排名" in changed and "不具备资格" not in changed  # no reason made public
        assert "测试企业00002" not in text  # never ranked: never named
        old = anyone.get(f"/results/{campaign}/1").text
        assert "已被新的结果取代" in old or "取代" in old


def test_a_result_is_final_only_after_its_notice_period(app, world):
    _submit(app, "chair", world)
    campaign = world["campaign"]
    with signed_in(app, "clerk") as admin:
        _status(admin, world, "closed")
        _freeze(admin, world)
        url = f"/admin/campaigns/{campaign}/results"
        assert (
            admin.post(
                f"{url}/1/final", data={"_csrf_token": csrf(admin.get(url).text)}
            ).status_code
            == 400
        )
        _publish(admin, world, 1, days="1")
        early = admin.post(f"{url}/1/final", data={"_csrf_token": csrf(admin.get(url).text)})
        assert early.status_code == 400 and "公示期" in early.text

        async def notice_over() -> None:
            from service.publication.tables import ResultSnapshot

            await ResultSnapshot.update(
                {ResultSnapshot.notice_ends: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
            ).where(ResultSnapshot.campaign == campaign)

        in_database(world["url"], notice_over)
        final = admin.post(
            f"{url}/1/final",
            data={"_csrf_token": csrf(admin.get(url).text)},
            follow_redirects=False,
        )
        assert final.status_code == 303
    with TestClient(app) as anyone:
        assert "最终结果" in anyone.get(f"/results/{campaign}").text


def test_another_towns_admin_and_other_roles_cannot_touch_results(app, world):
    from service.orgs.queries import ensure_town
    from tests.factories import make_user

    campaign = world["campaign"]
    elsewhere = in_database(world["url"], lambda: ensure_town("别的镇"))
    make_user(world["url"], "faraway", "admin", town_id=elsewhere)
    with signed_in(app, "faraway") as stranger:
        assert stranger.get(f"/admin/campaigns/{campaign}/results").status_code == 403
        assert stranger.get(f"/admin/campaigns/{campaign}/results/1").status_code == 403
    with signed_in(app, "judge") as judge:
        assert judge.get(f"/admin/campaigns/{campaign}/results").status_code == 403
    with signed_in(app, "chair") as chair:
        assert chair.get(f"/admin/campaigns/{campaign}/results").status_code == 403


def test_an_id_beyond_any_row_is_a_bad_request_not_a_crash(app, world):
    with TestClient(app) as anyone:
        for path in (
            "/results/3243583356443",
            "/results/1/99999999999",
            "/api/v1/results/2147483648",
        ):
            assert anyone.get(path).status_code == 400, path
        assert anyone.get("/api/v1/results/2147483647").status_code == 404


def test_a_stored_snapshot_ranks_again_to_exactly_what_it_shows(app, world):
    """Reproducibility: the policy and inputs a snapshot stored, ranked again, give
    its stored rows; its scores are the counted submissions with their revisions."""
    import msgspec

    from service.publication.snapshot import InputScore, SnapshotRow, snapshot_rows
    from service.rankings.aggregate import rank
    from service.rankings.inputs import ParticipantScores
    from service.rankings.policy import Policy

    _submit(app, "chair", world)
    _submit(app, "judge", world)
    campaign = world["campaign"]
    with signed_in(app, "clerk") as admin:
        _status(admin, world, "closed")
        _freeze(admin, world)
    [entry] = in_database(world["url"], lambda: queries.snapshots(campaign))
    stored = in_database(
        world["url"], lambda: queries.content(entry.id, "policy", "inputs", "scores", "result")
    )
    inputs = msgspec.json.decode(stored["inputs"], type=list[ParticipantScores])
    policy = msgspec.json.decode(stored["policy"], type=Policy)
    result = msgspec.json.decode(stored["result"], type=list[SnapshotRow])
    assert snapshot_rows(rank(inputs, policy)) == result
    assert [r.name for r in result] == ["测试企业00001", "测试企业00002"]
    scores = msgspec.json.decode(stored["scores"], type=list[InputScore])
    assert sorted((s.role, s.revision, s.total) for s in scores) == [
        ("enterprise", 1, 20.0),
        ("judge", 1, 20.0),
    ]


def test_a_result_on_notice_is_confirmed_though_a_later_snapshot_waits(app, world):
    """A snapshot frozen while the one on notice runs does not hold that one up."""
    _submit(app, "chair", world)
    campaign = world["campaign"]
    with signed_in(app, "clerk") as admin:
        _status(admin, world, "closed")
        _freeze(admin, world)
        _publish(admin, world, 1, days="1")
        _status(admin, world, "open")  # a judge's evaluation was missing
    _submit(app, "judge", world)
    with signed_in(app, "clerk") as admin:
        _status(admin, world, "closed")
        assert _freeze(admin, world, reason="补录评委评分").status_code == 303

        async def notice_over() -> None:
            from service.publication.tables import ResultSnapshot

            await ResultSnapshot.update(
                {ResultSnapshot.notice_ends: dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)}
            ).where(ResultSnapshot.number == 1)

        in_database(world["url"], notice_over)
        url = f"/admin/campaigns/{campaign}/results"
        final = admin.post(f"{url}/1/final", data={"_csrf_token": csrf(admin.get(url).text)})
        assert final.status_code == 200 and "最终结果" in admin.get(url).text
