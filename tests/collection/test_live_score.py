"""The live score on the fill page says what it counts: while items are open, only the
points of the answered items (an untouched deduction list is not a score kept); once
every item is answered, and on the review, the total the submit will store."""

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

_BASE = form_data()
FORM = form_data(
    id="live-score",
    roles=["supervisor"],
    sections=[
        *_BASE["sections"],
        {
            "id": "minus",
            "title": "扣分项",
            "kind": "deduction",
            "points": 0,
            "cap": 4,
            "items": [
                {
                    "id": "accidents",
                    "type": "choice",
                    "label": "事故",
                    "options": [
                        {"id": "none", "label": "无", "score": 0},
                        {"id": "some", "label": "有", "score": -4},
                    ],
                }
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


def _preview(page: str) -> str:
    match = re.search(r'<section id="score-preview".*?</section>', page, re.S)
    assert match, "no score on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def test_an_empty_table_shows_no_score_it_has_not_earned(app, world):
    with signed_in(app, "watcher") as client:
        path = start_own(client, world)
        shown = _preview(client.get(path).text)
    assert shown.startswith("尚未作答 （已答0 / 共5项）")  # no "0 / 0"
    assert "全部答完后按满分20分计分；此前只计已答项的得分。" in shown
    assert "/ 20" not in shown.replace("满分20", "")


def test_while_items_are_open_only_the_answered_ones_count(app, world):
    with signed_in(app, "watcher") as client:
        path = start_own(client, world)
        save(client, path, "first", a="yes", b="no")
        shown = _preview(client.get(path).text)
        assert shown.startswith("已答项得分 4 / 10 分 （已答2 / 共5项）")
        assert "第一部分 4 / 10" in shown  # a section answered in full shows its score
        assert "第二部分 已答0 / 共2项" in shown
        # The review says what a submit would store now.
        review = _preview(client.get(f"{path}/review").text)
        assert review.startswith("4 / 20 分")


def test_once_every_item_is_answered_the_total_is_the_score_kept(app, world):
    with signed_in(app, "watcher") as client:
        path = start_own(client, world)
        save(client, path, "first", a="yes", b="yes")
        save(client, path, "second", c="yes", d="no")
        save(client, path, "minus", accidents="some")
        fill = _preview(client.get(path).text)
        review = _preview(client.get(f"{path}/review").text)
    assert fill.startswith("11 / 20 分")
    assert "已答项" not in fill
    assert review.startswith("11 / 20 分")
