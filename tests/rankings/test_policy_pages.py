"""Grade bands, awards and tie-breaks edited on a campaign's page, as an admin does it
in a browser without JavaScript, and what the rankings then show."""

from __future__ import annotations

import html
import re

from service.campaigns.queries import get_campaign
from tests.collection.test_pages import csrf, fill_complete, signed_in, start_own
from tests.factories import csrf_token, in_database


def policy_fields(page: str) -> dict[str, str]:
    """What a browser posts for the policy editor as the page shows it."""
    [form] = re.findall(r'<form method="post" action="[^"]+/policy" .*?</form>', page, re.S)
    fields = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or " checked" in tag):
            fields[name.group(1)] = html.unescape(value.group(1) if value else "")
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        first = re.search(r'<option value="([^"]*)"', options)
        fields[name] = (chosen or first).group(1)  # type: ignore[union-attr]
    return fields


def _submit(app, username: str, world) -> None:
    with signed_in(app, username) as client:
        path = start_own(client, world)
        fill_complete(client, path)
        client.post(f"{path}/submit", data={"_csrf_token": csrf(client.get(f"{path}/review").text)})


def _stored_policy(world) -> str:
    return in_database(world["url"], lambda: get_campaign(world["campaign"]))["policy"] or ""


BANDS_AWARD_TIE_BREAK = {
    "grade-0-zh": "优秀",
    "grade-0-en": "Excellent",
    "grade-0-min": "18",
    "grade-1-zh": "合格",
    "grade-1-min": "10",
    "award-0-zh": "一等奖",
    "award-0-top": "1",
    "tie_break-0": "section:safety",
    "tie_break-1": "judges_mean",
}


def test_an_admin_sets_grades_an_award_and_a_tie_break_that_the_rankings_use(app, world):
    _submit(app, "chair", world)  # 测试企业00001: self 20 of 20
    _submit(app, "judge", world)  # and one judge: 20
    url = f"/admin/campaigns/{world['campaign']}"
    with signed_in(app, "clerk") as admin:
        page = admin.get(url).text
        fields = policy_fields(page)
        # the form has no grades: two empty rows to add to, tie-breaks by position
        assert fields["grade-0-zh"] == "" and fields["grade-1-zh"] == ""
        assert fields["tie_break-0"] == "judges_mean" and fields["tie_break-1"] == ""
        assert 'value="section:safety"' in page and "安全管理" in page  # sections by title
        saved = admin.post(
            f"{url}/policy",
            data={**fields, **BANDS_AWARD_TIE_BREAK, "_csrf_token": csrf(page)},
            follow_redirects=False,
        )
        assert saved.status_code == 303 and saved.headers["location"].endswith("#policy")

        words = admin.get(url).text  # the policy in plain words
        assert "等级：优秀 ≥ 18分；合格 ≥ 10分。" in words
        assert "一等奖：前1名（同分并列的一并获奖）。" in words
        assert "同分时依次比较：“安全管理”得分高者在前；评委评分高者在前。" in words
        again = policy_fields(words)  # the editor shows what was saved, rows to add
        assert (again["grade-0-zh"], again["grade-1-min"], again["award-0-top"]) == (
            "优秀",
            "10",
            "1",
        )
        assert again["grade-2-zh"] == "" and again["award-1-zh"] == ""

        rankings = admin.get(f"{url}/rankings").text
        row = rankings[
            rankings.index("测试企业00001") : rankings.index(
                "</tr>", rankings.index("测试企业00001")
            )
        ]
        assert "一等奖" in row and "优秀" in row
        english = admin.get(f"{url}/rankings", params={"lang": "en"}).text
        assert "Excellent" in english


def test_a_refused_save_shows_each_problem_on_its_row_and_keeps_what_was_typed(app, world):
    url = f"/admin/campaigns/{world['campaign']}"
    with signed_in(app, "clerk") as admin:
        page = admin.get(url).text
        before = _stored_policy(world)
        typed = {
            **policy_fields(page),
            "_csrf_token": csrf(page),
            "grade-0-zh": "<b>优秀</b>",
            "grade-0-min": "200",  # above the form's 20
            "grade-1-zh": "",
            "grade-1-min": "10",  # no name
            "award-0-zh": "一等奖",  # neither a number of winners nor a minimum
            "tie_break-1": "section:nowhere",
        }
        refused = admin.post(f"{url}/policy", data=typed)
        assert refused.status_code == 400 and "未保存" in refused.text
        text = refused.text
        for field in ("grade-0-min", "grade-1-zh", "award-0", "tie_break-1"):
            assert f'id="{field}-error"' in text, field
        assert 'name="grade-0-min" value="200" aria-invalid="true"' in text
        assert "&lt;b&gt;优秀&lt;/b&gt;" in text and "<b>优秀</b>" not in text  # escaped
        assert policy_fields(text)["award-0-zh"] == "一等奖"
        assert "<details open>" in text  # the editor stays open on the problems
        assert _stored_policy(world) == before  # nothing saved


def test_grades_reset_to_the_forms_and_nothing_changes_once_closed(app, world):
    url = f"/admin/campaigns/{world['campaign']}"
    with signed_in(app, "clerk") as admin:
        page = admin.get(url).text
        token = csrf(page)
        admin.post(
            f"{url}/policy",
            data={**policy_fields(page), **BANDS_AWARD_TIE_BREAK, "_csrf_token": token},
        )
        assert '"优秀"' in _stored_policy(world)
        reset = admin.post(
            f"{url}/policy/grades/reset", data={"_csrf_token": token}, follow_redirects=False
        )
        assert reset.status_code == 303
        stored = _stored_policy(world)
        assert '"grades":[]' in stored and '"一等奖"' in stored  # the form has no grades
        assert "等级：" not in admin.get(url).text

        admin.post(
            f"{url}/status", data={"status": "closed", "confirmed": "1", "_csrf_token": token}
        )
        closed = admin.get(url).text
        assert f'action="{url}/policy"' not in closed  # no editor once closed
        refused = admin.post(
            f"{url}/policy",
            data={**policy_fields(page), **BANDS_AWARD_TIE_BREAK, "_csrf_token": token},
            follow_redirects=False,
        )
        assert refused.status_code == 303 and "refused=" in refused.headers["location"]
        admin.post(f"{url}/policy/grades/reset", data={"_csrf_token": token})
        assert _stored_policy(world) == stored
    with signed_in(app, "judge") as judge:
        own_token = csrf_token(judge, "/tasks")
        forbidden = judge.post(f"{url}/policy/grades/reset", data={"_csrf_token": own_token})
        assert forbidden.status_code == 403
