"""The admins' progress view: who has scored whom, and what is missing."""

from service.campaigns.progress import campaign_progress

PARTICIPANTS = [
    {"enterprise_id": 1, "team_id": None, "enterprise_name": "甲厂", "team_name": None},
    {"enterprise_id": 2, "team_id": None, "enterprise_name": "乙厂", "team_name": None},
]
ASSIGNMENTS = [
    {"user_id": 10, "display_name": "王评委", "enterprise_id": None},  # everyone
    {"user_id": 11, "display_name": "李评委", "enterprise_id": 2},  # 乙厂 only
]


def sub(enterprise, role, author, status, total=None):
    return {
        "enterprise_id": enterprise,
        "team_id": None,
        "role": role,
        "author_id": author,
        "status": status,
        "total": total,
    }


def test_progress_lists_what_each_judge_and_participant_still_owes():
    progress = campaign_progress(
        PARTICIPANTS,
        ASSIGNMENTS,
        [
            sub(1, "judge", 10, "submitted", 88.0),
            sub(2, "judge", 10, "draft"),
            sub(2, "judge", 11, "correcting", 90.0),  # a correction: its version stands
            sub(1, "enterprise", 5, "submitted", 92.0),
            sub(2, "enterprise", 6, "draft"),
        ],
        self_assessment=True,
    )
    wang, li = progress.judges
    assert (wang.name, wang.done, wang.owed, wang.missing) == ("王评委", 1, 2, ["乙厂"])
    assert (li.done, li.owed, li.missing) == (1, 1, [])
    first, second = progress.participants
    assert [c.state for c in first.judges] == ["done", "none"]  # 李评委 scores 乙厂 only
    assert first.judges[0].total == 88.0 and first.self_total == 92.0
    assert [c.state for c in second.judges] == ["draft", "done"]
    assert progress.self_missing == ["乙厂"] and not progress.complete


def test_no_self_assessment_asked_none_owed():
    progress = campaign_progress(PARTICIPANTS, [], [], self_assessment=False)
    assert progress.self_missing == [] and progress.complete
    assert all(p.self_state is None for p in progress.participants)
