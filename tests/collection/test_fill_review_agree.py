"""The fill page and the review count a draft the same way, and a page served without
JavaScript promises no autosave; a veto answer says so on the page once saved."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.app import create_app
from tests.campaigns.factories import add_campaign, watch
from tests.collection.factories import stored_form
from tests.collection.test_pages import save, signed_in, start_own
from tests.conftest import settings_for
from tests.factories import form_data, in_database, make_user, two_enterprises

FORM = form_data(
    id="walk-round",
    kind="checklist",
    scoring=None,
    roles=["supervisor"],
    sections=[
        {
            "id": "site",
            "title": "现场",
            "items": [
                {
                    "id": "walkway",
                    "type": "check",
                    "label": "作业通道畅通",
                    "evidence_on_fail": True,
                },
                {"id": "guard", "type": "check", "label": "防护罩完好"},
                {"id": "signs", "type": "check", "label": "警示标志齐全"},
                {
                    "id": "accident",
                    "type": "check",
                    "label": "本年度发生重伤事故",
                    "veto": "发生重伤事故",
                },
            ],
        },
    ],
)


@pytest.fixture
def world(database_url: str) -> dict[str, Any]:
    places = in_database(database_url, two_enterprises)

    async def setup() -> int:
        form_version_id, _ = await stored_form(FORM)
        return await add_campaign(
            places["town"], form_version_id, enterprises=[places["own"]], supervisors=True
        )

    campaign = in_database(database_url, setup)
    supervisor = make_user(database_url, "watcher", "supervisor")
    in_database(database_url, lambda: watch(supervisor, places["own"]))
    return {**places, "campaign": campaign, "url": database_url}


@pytest.fixture
def app(world: dict[str, Any]):
    return create_app(settings_for(world["url"]))


def _counts(page: str) -> str:
    match = re.search(r'<section id="score-preview".*?<p class="score-total">(.*?)</p>', page, re.S)
    assert match, "no count on the page"
    return " ".join(match.group(1).split())


def test_fill_and_review_show_the_same_counts_for_a_failed_check_without_its_photo(app, world):
    with signed_in(app, "watcher") as supervisor:
        path = start_own(supervisor, world)
        save(supervisor, path, "site", walkway="no", guard="yes")
        fill = supervisor.get(path).text
        review = supervisor.get(f"{path}/review").text
        assert _counts(fill) == _counts(review) == "不合格1项，已检查2项"
        # The missing photo is still named on the review, as what blocks the submit.
        assert "此项不合格时须上传照片" in review


def test_without_javascript_the_page_promises_no_autosave(app, world):
    with signed_in(app, "watcher") as supervisor:
        page = supervisor.get(start_own(supervisor, world)).text
        state = re.search(r'<span id="save-state".*?</span>\s*</span>', page, re.S)
        assert state
        # The promise is only in the part a script shows; without one, the page says
        # how answers are kept.
        promise = re.search(r'<span class="js-only">([^<]*)</span>', state.group(0))
        assert promise and promise.group(1) == "填写内容自动保存"
        assert "自动保存" not in state.group(0).replace(promise.group(0), "")
        assert "点“保存”或换到其他部分时保存" in state.group(0)


def test_a_saved_veto_answer_says_it_vetoes_at_the_item_and_at_the_top(app, world):
    with signed_in(app, "watcher") as supervisor:
        path = start_own(supervisor, world)
        page = supervisor.get(path).text
        item = re.search(
            r'<li class="item[^"]*" id="item-accident".*?</li>\s*(?=<li|</ol>)', page, re.S
        )
        assert item and "一票否决" in item.group(0)  # the veto answer is marked before
        assert 'role="alert"' not in item.group(0)
        save(supervisor, path, "site", accident="yes")
        page = supervisor.get(path).text
        top = re.search(r'<div id="veto-alert".*?</div>', page, re.S)
        assert top and "本表已被一票否决：发生重伤事故" in top.group(0)
        item = re.search(
            r'<li class="item[^"]*" id="item-accident".*?</li>\s*(?=<li|</ol>)', page, re.S
        )
        assert item and "此答案一票否决：发生重伤事故" in item.group(0)
