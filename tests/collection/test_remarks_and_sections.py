"""On the pages: a check's own remark (备注) and its finding, from the fill page to the
result, the review and the hazard it reports; a section asked only under a condition."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from service.app import create_app
from service.collection import queries
from service.hazards import queries as hazards
from tests.campaigns.factories import add_campaign, watch
from tests.collection.factories import stored_form
from tests.collection.test_pages import csrf, save, signed_in, start_own
from tests.conftest import settings_for
from tests.factories import form_data, in_database, make_user, two_enterprises

# A supervisor's inspection: the chemical section only where chemicals are used.
FORM = form_data(
    id="site-inspection",
    kind="checklist",
    scoring=None,
    roles=["supervisor"],
    sections=[
        {
            "id": "site",
            "title": "现场",
            "items": [
                {"id": "uses", "type": "check", "label": "使用危险化学品", "allow_na": False},
                {
                    "id": "walkway",
                    "type": "check",
                    "label": "作业通道畅通",
                    "finding": "作业通道堵塞",
                    "hazard": {"grade": "general"},
                },
                {"id": "guard", "type": "check", "label": "防护罩完好", "hazard": {}},
            ],
        },
        {
            "id": "chemicals",
            "title": "危险化学品",
            "show_if": {"item": "uses", "equals": "yes"},
            "items": [{"id": "cards", "type": "check", "label": "信息卡", "required": True}],
        },
        {
            "id": "end",
            "title": "结论",
            "items": [{"id": "remarks", "type": "long_text", "label": "其他情况"}],
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
    make_user(database_url, "chair", "enterprise", enterprise_id=places["own"])
    in_database(database_url, lambda: watch(supervisor, places["own"]))
    return {**places, "campaign": campaign, "url": database_url}


@pytest.fixture
def app(world: dict[str, Any]):
    return create_app(settings_for(world["url"]))


def _tab_hidden(page: str, section: str) -> bool:
    return bool(re.search(rf'<li hidden>\s*<a href="[^"]*\?section={section}"', page))


def test_a_hidden_section_is_skipped_and_shown_once_its_condition_holds(app, world):
    with signed_in(app, "watcher") as supervisor:
        path = start_own(supervisor, world)
        assert _tab_hidden(supervisor.get(path).text, "chemicals")
        # No chemicals: "next" goes past the chemical section.
        moved = save(supervisor, path, "site", uses="no", walkway="yes", guard="yes", _go="next")
        assert moved.headers["location"].endswith("?section=end")
        end = supervisor.get(moved.headers["location"]).text
        assert _tab_hidden(end, "chemicals")
        assert 'value="previous"' in end
        back = save(supervisor, path, "end", _go="previous")
        assert back.headers["location"].endswith("?section=site")
        # Chemicals used: the section is asked, and its required item with it.
        moved = save(supervisor, path, "site", uses="yes", walkway="yes", guard="yes", _go="next")
        assert moved.headers["location"].endswith("?section=chemicals")
        assert not _tab_hidden(supervisor.get(path).text, "chemicals")
        review = supervisor.get(f"{path}/review").text
        assert "信息卡" in review and "此项必填" in review
        # Back to none: nothing to answer there any more.
        save(supervisor, path, "site", uses="no", walkway="yes", guard="yes")
        assert "此项必填" not in supervisor.get(f"{path}/review").text


def test_a_failed_checks_remark_and_finding_go_to_the_result_and_the_hazard(app, world):
    with signed_in(app, "watcher") as supervisor:
        path = start_own(supervisor, world)
        save(
            supervisor,
            path,
            "site",
            uses="no",
            walkway="no",
            **{"walkway.remark": "冲压机旁堆放纸箱\r\n约两米"},
            guard="no",
        )
        save(supervisor, path, "end", remarks="总体良好")
        page = supervisor.get(f"{path}?section=site").text
        opened = r'<details class="remark" data-remark="walkway" data-good="yes"\s+open>'
        assert re.search(opened, page)  # open by itself: the check failed
        assert "冲压机旁堆放纸箱\n约两米</textarea>" in page
        review = supervisor.get(f"{path}/review").text
        assert "作业通道堵塞" in review and "冲压机旁堆放纸箱" in review
        done = supervisor.post(
            f"{path}/submit", data={"_csrf_token": csrf(review)}, follow_redirects=False
        )
        assert done.status_code == 303
        result = supervisor.get(path).text
        assert "作业通道堵塞" in result and "冲压机旁堆放纸箱" in result
        assert "不符合：防护罩完好" in result  # no finding in the form: "不符合：" + label

        submission_id = uuid.UUID(path.rsplit("/", 1)[1])
        found = in_database(world["url"], lambda: hazards.of_submission(submission_id))
        walkway, guard = found
        assert walkway["description"] == "作业通道堵塞\n冲压机旁堆放纸箱\n约两米"
        assert guard["description"] == "不符合：防护罩完好"  # not the visit's general remark
        hazard_page = supervisor.get(f"/hazards/{walkway['id']}").text
        assert "作业通道堵塞" in hazard_page and "冲压机旁堆放纸箱" in hazard_page


def test_a_too_long_remark_is_shown_at_its_item_and_kept(app, world):
    with signed_in(app, "watcher") as supervisor:
        path = start_own(supervisor, world)
        long = "长" * 201
        save(supervisor, path, "site", uses="no", walkway="no", **{"walkway.remark": long})
        page = supervisor.get(f"{path}?section=site&check=1").text
        assert f"{long}</textarea>" in page  # nothing lost
        assert re.search(r'id="errors-walkway-remark"[^>]*>\s*<p class="error">最多200个字', page)
        row = in_database(world["url"], lambda: queries.find(uuid.UUID(path.rsplit("/", 1)[1])))
        assert row["answers"]["walkway"] == "no"  # the answer itself still counts
        review = supervisor.get(f"{path}/review").text
        assert "作业通道畅通</a>：最多200个字" in review
