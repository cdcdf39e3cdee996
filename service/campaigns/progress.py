"""Who has filled what in a campaign: the admins' progress view. Pure.

A judge "owes" an evaluation of every participant of their assignment (all of them,
or the one enterprise); each participant owes its self-assessment when the campaign
asks for one. A submission counts once it is submitted (a correction in progress
still counts: its submitted version stands).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

DONE = ("submitted", "correcting")


class Cell(msgspec.Struct, frozen=True):
    state: str  # done | draft | missing | none (not this judge's)
    total: float | None = None


class ParticipantProgress(msgspec.Struct, frozen=True):
    enterprise_id: int
    team_id: int | None
    name: str
    self_state: str | None  # None when the campaign has no self-assessment
    self_total: float | None
    judges: list[Cell]  # in the order of `Progress.judges`


class JudgeProgress(msgspec.Struct, frozen=True):
    user_id: int
    name: str
    done: int
    owed: int
    missing: list[str]  # names of the participants not evaluated yet


class Progress(msgspec.Struct, frozen=True):
    judges: list[JudgeProgress]
    participants: list[ParticipantProgress]
    self_missing: list[str]  # participants whose self-assessment is not submitted

    @property
    def complete(self) -> bool:
        return not self.self_missing and all(not j.missing for j in self.judges)


def _key(row: dict) -> tuple[int, int | None]:
    return row["enterprise_id"], row["team_id"]


def campaign_progress(
    participants: Iterable[dict],
    assignments: Iterable[dict],
    submissions: Iterable[dict],
    *,
    self_assessment: bool,
) -> Progress:
    """Participants (enterprise_id, team_id, enterprise_name, team_name), judge
    assignments (user_id, display_name, enterprise_id or None for all) and the
    campaign's submissions (enterprise_id, team_id, role, author_id, status, total)."""
    participants = list(participants)
    judges: dict[int, dict] = {}
    for a in assignments:
        judge = judges.setdefault(a["user_id"], {"name": a["display_name"], "scope": set()})
        judge["scope"].add(a["enterprise_id"])  # None: every participant
    found: dict[tuple, dict] = {}
    for s in submissions:
        key = (s["role"], s["author_id"] if s["role"] == "judge" else None, *_key(s))
        best = found.get(key)
        if best is None or (s["status"] in DONE and best["status"] not in DONE):
            found[key] = s

    def state(key: tuple) -> Cell:
        s = found.get(key)
        if s is None:
            return Cell("missing")
        if s["status"] in DONE:
            return Cell("done", s["total"])
        return Cell("draft")

    rows, judge_missing = [], {user: [] for user in judges}
    for p in participants:
        name = p["enterprise_name"] + (f" · {p['team_name']}" if p.get("team_name") else "")
        cells = []
        for user, judge in judges.items():
            if None not in judge["scope"] and p["enterprise_id"] not in judge["scope"]:
                cells.append(Cell("none"))
                continue
            cell = state(("judge", user, *_key(p)))
            cells.append(cell)
            if cell.state != "done":
                judge_missing[user].append(name)
        own = state(("enterprise", None, *_key(p))) if self_assessment else None
        rows.append(
            ParticipantProgress(
                enterprise_id=p["enterprise_id"],
                team_id=p["team_id"],
                name=name,
                self_state=own.state if own else None,
                self_total=own.total if own else None,
                judges=cells,
            )
        )
    return Progress(
        judges=[
            JudgeProgress(
                user_id=user,
                name=judge["name"],
                done=sum(1 for r in rows if r.judges[i].state == "done"),
                owed=sum(1 for r in rows if r.judges[i].state != "none"),
                missing=judge_missing[user],
            )
            for i, (user, judge) in enumerate(judges.items())
        ],
        participants=rows,
        self_missing=[r.name for r in rows if r.self_state not in (None, "done")],
    )
