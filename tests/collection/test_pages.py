"""Filling a form through the pages: tasks, autosave, show_if, errors, review, submit,
the read-only result, corrections and their comparison, and who may see what."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import TestClient

from service.app import create_app
from service.collection import queries
from tests.campaigns.factories import add_campaign, assign_judge, watch
from tests.collection.factories import stored_form
from tests.conftest import settings_for, shared_app
from tests.factories import form_data, in_database, make_user, sign_in, two_enterprises

# A scored self-assessment form: a required text, a choice that shows a check
# (show_if), a number with a range, a long text, a veto. No grades: the policy tests
# (tests/rankings) start from a form without any.
FORM = form_data(
    id="fill-test",
    roles=["enterprise", "judge", "supervisor"],
    scoring={"max": 20},
    sections=[
        {
            "id": "basics",
            "title": {"zh": "基本情况", "en": "Basics"},
            "points": 10,
            "items": [
                {"id": "place", "type": "text", "label": "检查部位", "required": True},
                {
                    "id": "chemicals",
                    "type": "choice",
                    "label": "使用危险化学品",
                    "required": True,
                    "options": [{"id": "yes", "label": "是"}, {"id": "no", "label": "否"}],
                },
                {
                    "id": "msds",
                    "type": "check",
                    "label": "化学品安全技术说明书齐全",
                    "points": 10,
                    "show_if": {"item": "chemicals", "equals": "yes"},
                },
                {"id": "workers", "type": "number", "label": "职工人数", "min": 0, "max": 5000},
            ],
        },
        {
            "id": "safety",
            "title": {"zh": "安全管理", "en": "Safety"},
            "points": 10,
            "items": [
                {
                    "id": "accident",
                    "type": "check",
                    "label": "发生死亡事故",
                    "good": "no",
                    "points": 10,
                    "veto": {"reason": "发生死亡事故", "when": "yes"},
                    "allow_na": False,
                },
                {"id": "remarks", "type": "long_text", "label": "备注"},
            ],
        },
    ],
)
# The same form with an informational question, and grades capped when chemicals are used.
CAP_REASON = "使用危险化学品的，最高评为合格"
CAPPED_FORM = {
    **FORM,
    "id": "fill-test-capped",
    "scoring": {
        "max": 20,
        "grades": [
            {"id": "top", "min": 18, "label": {"zh": "优秀", "en": "Excellent"}},
            {"id": "pass", "min": 10, "label": {"zh": "合格", "en": "Pass"}},
        ],
        "grade_caps": [
            {"item": "chemicals", "equals": "yes", "at_most": "pass", "reason": CAP_REASON}
        ],
    },
    "sections": [
        {
            **FORM["sections"][0],
            "items": [
                *FORM["sections"][0]["items"],
                {"id": "night-shift", "type": "check", "label": "是否有夜班", "info": True},
            ],
        },
        *FORM["sections"][1:],
    ],
}
HOSTILE = '<script>alert("x")</script>{{ 7*7 }}'


def csrf(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def start_fields(page: str) -> list[dict[str, str]]:
    forms = re.findall(r'<form method="post" action="/tasks/start".*?</form>', page, re.S)
    return [dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form)) for form in forms]


@pytest.fixture
def world(database_url: str) -> dict[str, Any]:
    """A town with enterprises "own" and "other", the form in an open campaign with
    self-assessment, judges and supervisors, and one account per role."""
    return make_world(database_url, FORM)


def make_world(database_url: str, form: dict) -> dict[str, Any]:
    places = in_database(database_url, two_enterprises)

    async def setup() -> dict[str, Any]:
        form_version_id, _ = await stored_form(form)
        campaign = await add_campaign(
            places["town"],
            form_version_id,
            enterprises=[places["own"], places["other"]],
            self_assessment=True,
            judges=True,
            supervisors=True,
        )
        return {"campaign": campaign}

    ids = in_database(database_url, setup)
    users = {
        "enterprise": make_user(database_url, "chair", "enterprise", enterprise_id=places["own"]),
        "colleague": make_user(database_url, "officer", "enterprise", enterprise_id=places["own"]),
        "other": make_user(database_url, "rival", "enterprise", enterprise_id=places["other"]),
        "judge": make_user(database_url, "judge", "judge"),
        "supervisor": make_user(database_url, "watcher", "supervisor"),
        "admin": make_user(database_url, "clerk", "admin", town_id=places["town"]),
    }
    in_database(database_url, lambda: assign_judge(ids["campaign"], users["judge"]))
    in_database(database_url, lambda: watch(users["supervisor"], places["own"]))
    return {**places, **ids, "users": users, "url": database_url}


@pytest.fixture
def app(world: dict[str, Any]):
    return shared_app(settings_for(world["url"]))


@contextmanager
def signed_in(app, username: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        assert sign_in(client, username).status_code == 303
        yield client


def start_own(client: TestClient, world: dict[str, Any]) -> str:
    """Start the task for the "own" enterprise; the submission's page path."""
    tasks = client.get("/tasks")
    assert tasks.status_code == 200
    [fields] = [f for f in start_fields(tasks.text) if f["enterprise_id"] == str(world["own"])]
    response = client.post("/tasks/start", data=fields, follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def save(client: TestClient, path: str, section: str, htmx: bool = False, **answers: Any):
    page = client.get(path)
    data = {"_csrf_token": csrf(page.text), "_section": section, **answers}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"{path}/answers", data=data, headers=headers, follow_redirects=False)


def fill_complete(client: TestClient, path: str, **extra: Any) -> None:
    save(client, path, "basics", place="二车间", chemicals="no", workers="120")
    save(client, path, "safety", accident="no", **extra)


def test_tasks_list_what_each_role_fills(app, world):
    with signed_in(app, "chair") as chair:
        page = chair.get("/tasks").text
        assert "测试企业00001" in page and "测试企业00002" not in page
        assert len(start_fields(page)) == 1
    with signed_in(app, "judge") as judge:
        assert len(start_fields(judge.get("/tasks").text)) == 2  # every participant
    with signed_in(app, "watcher") as supervisor:
        fields = start_fields(supervisor.get("/tasks").text)
        assert [f["enterprise_id"] for f in fields] == [str(world["own"])]


def test_a_double_tap_on_start_makes_one_draft(app, world):
    with signed_in(app, "chair") as chair:
        [fields] = start_fields(chair.get("/tasks").text)
        first = chair.post("/tasks/start", data=fields, follow_redirects=False)
        again = chair.post("/tasks/start", data=fields, follow_redirects=False)
        assert first.headers["location"] == again.headers["location"]
        # a new id for the same self-assessment still lands on the one draft
        other = {**fields, "submission_id": str(uuid.uuid4())}
        third = chair.post("/tasks/start", data=other, follow_redirects=False)
        assert third.headers["location"] == first.headers["location"]
        assert "继续填写" in chair.get("/tasks").text or "Continue" in chair.get("/tasks").text


def test_answers_are_saved_and_resume_where_the_user_was(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        response = save(chair, path, "basics", place="二车间", chemicals="yes", _go="next")
        assert response.status_code == 303 and response.headers["location"].endswith("=safety")
    # signed out and back in (another client): the draft and the section are there
    with signed_in(app, "chair") as again:
        page = again.get(path).text
        assert "安全管理" in page and 'aria-current="step"' in page
        basics = again.get(f"{path}?section=basics").text
        assert 'value="二车间"' in basics
        assert re.search(r'value="yes"\s+checked', basics)


def test_show_if_is_evaluated_on_the_server_and_sent_back_by_htmx(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        page = chair.get(path).text
        assert re.search(r'id="item-msds"\s+hidden', page)  # hidden until chemicals = yes
        shown = save(chair, path, "basics", htmx=True, chemicals="yes")
        assert shown.status_code == 200
        assert 'id="item-msds"' in shown.text and 'hx-swap-oob="true"' in shown.text
        assert "化学品安全技术说明书齐全" in shown.text
        hidden = save(chair, path, "basics", htmx=True, chemicals="no")
        assert re.search(r'id="item-msds"\s+hidden', hidden.text)
        unchanged = save(chair, path, "basics", htmx=True, chemicals="no", place="x")
        assert 'id="item-msds"' not in unchanged.text  # only what changed comes back


def test_a_bad_answer_is_shown_next_to_its_question_and_kept(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        response = save(chair, path, "basics", htmx=True, workers="99999")
        assert 'id="errors-workers"' in response.text and "不能大于5000" in response.text
        page = chair.get(f"{path}?section=basics").text
        assert 'value="99999"' in page  # what was typed is not lost
        assert "不能大于5000" in page


def test_review_lists_every_problem_and_submit_refuses_until_fixed(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        save(chair, path, "basics", chemicals="yes", workers="-1")
        review = chair.get(f"{path}/review")
        assert review.status_code == 200
        text = review.text
        assert "此项必填" in text and "不能小于0" in text  # the required place and the range
        refused = chair.post(
            f"{path}/submit", data={"_csrf_token": csrf(text)}, follow_redirects=False
        )
        assert refused.status_code == 422
        assert "此项必填" in refused.text
        assert in_database(world["url"], lambda: queries.revisions(_id(path))) == []


def _id(path: str) -> uuid.UUID:
    return uuid.UUID(path.split("/")[2].split("?")[0])


def test_submit_stores_the_score_and_the_page_becomes_read_only(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        fill_complete(chair, path)
        review = chair.get(f"{path}/review").text
        assert "20" in review
        token = csrf(review)
        done = chair.post(f"{path}/submit", data={"_csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303
        again = chair.post(f"{path}/submit", data={"_csrf_token": token}, follow_redirects=False)
        assert again.status_code == 303  # a retried submit shows the result, stores nothing
        history = in_database(world["url"], lambda: queries.revisions(_id(path)))
        assert len(history) == 1 and float(history[0]["total"]) == 20
        result = chair.get(path).text
        assert 'name="place"' not in result  # no inputs: read-only
        assert "二车间" in result and "20" in result
        late = save(chair, path, "basics", place="改了")
        assert late.status_code == 303
        assert in_database(world["url"], lambda: queries.find(_id(path)))["answers"]["place"] == (
            "二车间"
        )


def test_a_veto_shows_on_review_and_result(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        save(chair, path, "basics", place="二车间", chemicals="no")
        save(chair, path, "safety", accident="yes")
        review = chair.get(f"{path}/review").text
        assert "一票否决" in review or "Veto" in review
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(review)})
        stored = in_database(world["url"], lambda: queries.find(_id(path)))
        assert stored["vetoed"] is True and stored["eligible"] is False


def test_an_informational_no_is_not_failed_and_a_capped_grade_says_why(database_url):
    world = make_world(database_url, CAPPED_FORM)
    app = create_app(settings_for(database_url))
    why = f"未评为“优秀”：{CAP_REASON}"
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        basics = {"place": "二车间", "chemicals": "yes", "msds": "yes", "night-shift": "no"}
        save(chair, path, "basics", **basics)
        save(chair, path, "safety", accident="no")
        assert why in chair.get(path).text  # the live score, while filling
        review = chair.get(f"{path}/review").text
        assert "review-failed" not in review  # "no night shift" is no failed item
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(review)})
        stored = in_database(world["url"], lambda: queries.find(_id(path)))
        assert float(stored["total"]) == 20 and stored["grade"] == "pass"
        result = chair.get(path).text
        assert 'class="item result-item status-answered" id="item-night-shift"' in result
        assert '<span class="tag tag-points">合格</span>' in result
        assert f'<p class="grade-limit">{why}</p>' in result


def test_a_correction_is_a_new_version_with_who_and_why(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        fill_complete(chair, path)
        review = chair.get(f"{path}/review").text
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(review)})
        result = chair.get(path).text
        chair.post(f"{path}/correction", data={"_csrf_token": csrf(result)})
        save(chair, path, "safety", accident="yes")
        review = chair.get(f"{path}/review").text
        no_reason = chair.post(f"{path}/submit", data={"_csrf_token": csrf(review)})
        assert no_reason.status_code == 422  # a correction needs its reason
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(review), "reason": "复核发现事故"})
        history = in_database(world["url"], lambda: queries.revisions(_id(path)))
        assert [(r["number"], r["reason"]) for r in history] == [(1, ""), (2, "复核发现事故")]
        compare = chair.get(f"{path}/revisions?old=1&new=2").text
        assert "发生死亡事故" in compare and "复核发现事故" in compare
        assert "20" in compare and "→" in compare


def test_who_may_see_a_submission(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        fill_complete(chair, path)
    with signed_in(app, "officer") as colleague:
        assert colleague.get(path).status_code == 200  # the enterprise's shared draft
    with signed_in(app, "rival") as rival:
        assert rival.get(path).status_code == 404
        token = csrf(rival.get("/tasks").text)
        posted = rival.post(f"{path}/answers", data={"_csrf_token": token, "place": "x"})
        assert posted.status_code == 404
    with signed_in(app, "judge") as judge:
        assert judge.get(path).status_code == 404  # a draft is nobody else's business
    with signed_in(app, "clerk") as admin:
        assert admin.get(path).status_code == 200


def test_judges_scores_stay_hidden_from_the_enterprise(app, world):
    with signed_in(app, "judge") as judge:
        path = start_own(judge, world)
        fill_complete(judge, path)
        review = judge.get(f"{path}/review").text
        judge.post(f"{path}/submit", data={"_csrf_token": csrf(review)})
    with signed_in(app, "chair") as chair:
        assert chair.get(path).status_code == 404
    with signed_in(app, "watcher") as supervisor:
        assert supervisor.get(path).status_code == 404


def test_hostile_text_is_shown_as_text_on_every_page(app, world):
    """`<script>` and `{{ }}` typed into text answers (and a correction's reason) come
    back as text on every page that shows them, never as markup or template code."""
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;{{ 7*7 }}"
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        save(chair, path, "basics", place=HOSTILE, chemicals="no")
        fragment = save(chair, path, "safety", htmx=True, accident="no", remarks=HOSTILE).text
        shown = [chair.get(f"{path}?section=basics").text, chair.get(f"{path}?section=safety").text]
        review = chair.get(f"{path}/review").text
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(review)})
        result = chair.get(path).text
        shown.append(result)
        chair.post(f"{path}/correction", data={"_csrf_token": csrf(result)})
        save(chair, path, "safety", accident="no", remarks="清楚了")
        review2 = chair.get(f"{path}/review").text
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(review2), "reason": HOSTILE})
        shown += [chair.get(path).text, chair.get(f"{path}/revisions").text]
        tasks = chair.get("/tasks").text
    for page in [fragment, review, review2, tasks, *shown]:
        assert "<script>alert" not in page
    for page in shown:
        assert escaped in page


def test_two_people_saving_different_sections_at_once_lose_nothing(app, world):
    """The union chair and the safety officer fill the same self-assessment at once."""
    with TestClient(app) as client:
        people = {}
        for username in ("chair", "officer"):
            client.cookies.clear()
            assert sign_in(client, username).status_code == 303
            if username == "chair":
                path = start_own(client, world)
            token = csrf(client.get(path).text)
            cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
            people[username] = {"Cookie": cookie, "HX-Request": "true"}, token
        client.cookies.clear()

        def fill(username: str, section: str, field: str) -> None:
            headers, token = people[username]
            for n in range(20):
                data = {"_csrf_token": token, "_section": section, field: f"{field}-{n}"}
                response = client.post(f"{path}/answers", data=data, headers=headers)
                assert response.status_code == 200

        threads = [
            threading.Thread(target=fill, args=("chair", "basics", "place")),
            threading.Thread(target=fill, args=("officer", "safety", "remarks")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    answers = in_database(world["url"], lambda: queries.find(_id(path)))["answers"]
    assert answers["place"] == "place-19" and answers["remarks"] == "remarks-19"


def test_a_post_without_its_section_clears_nothing(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        save(chair, path, "basics", place="二车间")
        token = csrf(chair.get(path).text)
        chair.post(f"{path}/answers", data={"_csrf_token": token, "_section": "nope"})
    answers = in_database(world["url"], lambda: queries.find(_id(path)))["answers"]
    assert answers == {"place": "二车间"}


def test_a_closed_campaign_takes_no_more_answers(app, world):
    from service.campaigns.tables import Campaign

    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        fill_complete(chair, path)
        token = csrf(chair.get(path).text)

        async def close() -> None:
            await Campaign.update({Campaign.status: "closed"}).where(
                Campaign.id == world["campaign"]
            )

        in_database(world["url"], close)
        page = chair.get(path).text
        assert 'name="place"' not in page  # read-only now
        assert (
            chair.post(
                f"{path}/answers",
                data={"_csrf_token": token, "_section": "basics", "place": "改了"},
            ).status_code
            == 200
        )  # shown, not saved
        chair.post(f"{path}/submit", data={"_csrf_token": token})
    row = in_database(world["url"], lambda: queries.find(_id(path)))
    assert row["status"] == "draft" and row["answers"]["place"] == "二车间"


def test_a_correction_belongs_to_whoever_started_it(app, world):
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        fill_complete(chair, path)
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(chair.get(f"{path}/review").text)})
    with signed_in(app, "clerk") as admin:
        admin.post(f"{path}/correction", data={"_csrf_token": csrf(admin.get(path).text)})
        assert 'name="place"' in admin.get(f"{path}?section=basics").text  # the admin's now
    with signed_in(app, "officer") as colleague:
        page = colleague.get(f"{path}?section=basics").text
        assert 'name="place"' not in page  # not theirs to go on with
        token = csrf(page)
        colleague.post(
            f"{path}/answers", data={"_csrf_token": token, "_section": "safety", "accident": "yes"}
        )
    row = in_database(world["url"], lambda: queries.find(_id(path)))
    assert row["answers"]["accident"] == "no"


def test_enter_in_a_text_field_saves_and_stays(app, world):
    """The browser "clicks" the first submit button of a form on Enter."""
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        page = chair.get(path).text
    form = page[page.index('id="fill-form"') :]
    first = re.search(r'<button[^>]*type="submit"[^>]*>', form).group(0)
    assert 'value="stay"' in first


def test_a_judge_scores_beside_the_self_assessment(app, world):
    with signed_in(app, "chair") as chair:
        own = start_own(chair, world)
        fill_complete(chair, own)
        chair.post(f"{own}/submit", data={"_csrf_token": csrf(chair.get(f"{own}/review").text)})
    with signed_in(app, "judge") as judge:
        assert judge.get(own).status_code == 200  # the self-assessment, read-only
        path = start_own(judge, world)
        page = judge.get(f"{path}?section=basics").text
        assert 'id="self-place"' in page and "二车间" in page
        response = save(judge, path, "safety", htmx=True, accident="yes")  # differs
        assert re.search(r'id="self-accident" class="self-answer differs"', response.text)
        same = save(judge, path, "safety", htmx=True, accident="no")
        assert re.search(r'id="self-accident" class="self-answer"', same.text)
    with signed_in(app, "chair") as chair:
        assert chair.get(path).status_code == 404  # and the judge's stays hidden


def test_admins_see_who_has_scored_whom(app, world):
    with signed_in(app, "judge") as judge:
        path = start_own(judge, world)
        fill_complete(judge, path)
        judge.post(f"{path}/submit", data={"_csrf_token": csrf(judge.get(f"{path}/review").text)})
    with signed_in(app, "clerk") as admin:
        page = admin.get(f"/admin/campaigns/{world['campaign']}/progress")
        assert page.status_code == 200
        text = page.text
        assert "✓ 20" in text  # the judge's score of the first enterprise
        assert "测试企业00002" in text.split("提醒")[1]  # still to score, to be reminded
    with signed_in(app, "judge") as judge:
        assert judge.get(f"/admin/campaigns/{world['campaign']}/progress").status_code == 403


def test_judges_see_each_others_scores_only_once_scoring_is_closed(app, world):
    from service.campaigns.tables import Campaign

    second = make_user(world["url"], "judge2", "judge")
    in_database(world["url"], lambda: assign_judge(world["campaign"], second))
    with signed_in(app, "judge") as judge:
        path = start_own(judge, world)
        fill_complete(judge, path)
        judge.post(f"{path}/submit", data={"_csrf_token": csrf(judge.get(f"{path}/review").text)})
    with signed_in(app, "judge2") as other:
        assert other.get(path).status_code == 404  # blind while scoring is open

        async def close() -> None:
            await Campaign.update({Campaign.status: "closed"}).where(
                Campaign.id == world["campaign"]
            )

        in_database(world["url"], close)
        assert other.get(path).status_code == 200
    with signed_in(app, "chair") as chair:
        assert chair.get(path).status_code == 404  # never the enterprise


def test_the_result_says_the_role_once_when_the_name_already_says_it(app, world):
    from service.accounts.tables import User

    async def rename() -> None:
        chair = world["users"]["enterprise"]
        await User.update({User.display_name: "企业 工会主席"}).where(User.id == chair)

    in_database(world["url"], rename)
    with signed_in(app, "chair") as chair:
        path = start_own(chair, world)
        fill_complete(chair, path)
        chair.post(f"{path}/submit", data={"_csrf_token": csrf(chair.get(f"{path}/review").text)})
        result = chair.get(path).text
    assert "企业 工会主席" in result
    assert "企业 · 企业 工会主席" not in result
