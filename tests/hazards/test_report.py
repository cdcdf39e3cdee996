"""A supervisor reports a hazard directly: the hazard report, filled on its own,
becomes one hazard graded as the supervisor suggested."""

from __future__ import annotations

import re
import uuid

from service.hazards import queries
from tests.collection.test_pages import csrf, save, signed_in
from tests.factories import in_database

from .test_pages import jpeg


def test_a_hazard_report_becomes_a_hazard(app, hazard_world):
    w = hazard_world
    with signed_in(app, "watcher") as client:
        page = client.get("/hazards/report")
        assert page.status_code == 200
        options = re.findall(r'<option value="(\d+)">', page.text)
        assert options == [str(w["own"])]  # only what the supervisor watches
        submission_id = str(uuid.uuid4())
        data = {
            "_csrf_token": csrf(page.text),
            "submission_id": submission_id,
            "enterprise_id": str(w["own"]),
        }
        first = client.post("/hazards/report", data=data, follow_redirects=False)
        again = client.post("/hazards/report", data=data, follow_redirects=False)
        assert (
            first.headers["location"]
            == again.headers["location"]
            == (f"/submissions/{submission_id}")
        )
        other = {**data, "submission_id": str(uuid.uuid4()), "enterprise_id": str(w["other"])}
        assert client.post("/hazards/report", data=other).status_code == 404
        path = f"/submissions/{submission_id}"
        fill = client.get(path)
        prefilled = re.search(r'name="discovered-date"[^>]*value="(\d{4}-\d{2}-\d{2})"', fill.text)
        assert prefilled is not None
        save(
            client,
            path,
            "hazard",
            **{
                "hazard-point": "三号仓库",
                "hazard-description": "货架立柱被叉车撞弯",
                "hazard-grade": "larger",
                "discovered-date": prefilled.group(1),  # as the browser posts it
            },
        )
        client.post(
            f"{path}/items/hazard-photos/photos",
            data={"_csrf_token": csrf(fill.text)},
            files={"photo": ("shelf.jpg", jpeg(), "image/jpeg")},
        )
        review = client.get(f"{path}/review")
        submitted = client.post(
            f"{path}/submit", data={"_csrf_token": csrf(review.text)}, follow_redirects=False
        )
        assert submitted.headers["location"].endswith("?submitted=1")
        result = client.get(submitted.headers["location"])
        assert "货架立柱被叉车撞弯" in result.text and "较大事故隐患" in result.text

    async def reported():
        return await queries.of_submission(uuid.UUID(submission_id))

    [hazard] = in_database(w["url"], reported)
    assert (hazard["source"], hazard["grade"], hazard["location"]) == (
        "report",
        "larger",
        "三号仓库",
    )
    assert len(hazard["photos"]) == 1
