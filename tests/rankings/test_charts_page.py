"""The charts page of a campaign's results, over real stored submissions."""

from __future__ import annotations

import re

from tests.collection.test_pages import csrf, fill_complete, save, signed_in, start_own


def _submit(client, path: str) -> None:
    client.post(f"{path}/submit", data={"_csrf_token": csrf(client.get(f"{path}/review").text)})


def _numbers(page: str, heading: str) -> list[list[str]]:
    """The rows of the numbers table of the chart under `heading`, as text."""
    section = page[page.index(heading) :]
    table = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_the_charts_show_section_averages_and_the_failed_items(app, world):
    with signed_in(app, "chair") as chair:  # the self-assessment: 10 of 20
        path = start_own(chair, world)
        # uses chemicals and lacks their safety data sheets: 基本情况 0 of 10
        save(chair, path, "basics", place="二车间", chemicals="yes", msds="no", workers="120")
        save(chair, path, "safety", accident="no")  # 安全管理 10 of 10
        _submit(chair, path)
    with signed_in(app, "judge") as judge:  # no chemicals: 基本情况 has nothing to score
        path = start_own(judge, world)
        fill_complete(judge, path)
        _submit(judge, path)
    with signed_in(app, "clerk") as admin:
        rankings = admin.get(f"/admin/campaigns/{world['campaign']}/rankings").text
        assert f"/admin/campaigns/{world['campaign']}/charts?village=" in rankings
        page = admin.get(f"/admin/campaigns/{world['campaign']}/charts")
        assert page.status_code == 200
        text = page.text
        assert text.count('role="img"') == 3
        assert _numbers(text, 'id="sections-heading"') == [
            ["基本情况", "—", "0%"],  # judges | self-assessment
            ["安全管理", "100%", "100%"],
        ]
        assert _numbers(text, 'id="failed-heading"') == [
            ["化学品安全技术说明书齐全", "基本情况", "1", "100%"]
        ]
        assert "1 · 100%" in text  # beside the failed item's bar
        # the final score 0.2 × 10 + 0.8 × 20 = 18; the other enterprise has none yet
        assert _numbers(text, 'id="distribution-heading"') == [["18–19", "1"]]
        assert "测试企业00002" not in text

        nobody = admin.get(
            f"/admin/campaigns/{world['campaign']}/charts", params={"industry": "不存在的行业"}
        ).text
        assert "<svg" not in nobody and "不存在的行业" in nobody  # the group, then no chart
        assert nobody.count('class="chart-empty"') == 3
        back = re.search(r'href="(/admin/campaigns/\d+/rankings\?[^"]*)"', nobody)
        assert back and "industry=%E4%B8%8D%E5%AD%98" in back.group(1)  # the same group
    with signed_in(app, "judge") as judge:
        assert judge.get(f"/admin/campaigns/{world['campaign']}/charts").status_code == 403
