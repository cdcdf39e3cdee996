"""The audit log in words: what happened, to what, by whom, when (Beijing time).

Events are stored with stable English codes and terse subjects ("campaign 12", a user
name, a token prefix) so the log never depends on names that later change. A county
clerk reads names, so the page looks them up when it is shown: `names_for` gathers
them in a few queries, `describe` (pure) turns each event into a sentence's parts.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import msgspec

from service.campaigns.rules import local_time
from service.web.i18n import _l
from service.web.i18n import gettext_ as _
from service.web.templating import role_label

EVENT_LABELS = {
    "login": _l("signed in"),
    "login_failed": _l("failed to sign in"),
    "login_throttled": _l("sign-in paused after repeated failures"),
    "logout": _l("signed out"),
    "password_changed": _l("changed their password"),
    "password_change_failed": _l("gave a wrong current password"),
    "password_reset": _l("reset a password"),
    "token_created": _l("created an access token"),
    "token_revoked": _l("revoked an access token"),
    "token_used": _l("used an access token"),
    "user_created": _l("created an account"),
    "user_enabled": _l("enabled an account"),
    "user_disabled": _l("disabled an account"),
    "role_granted": _l("gave a role"),
    "role_revoked": _l("took a role away"),
    "supervisor_assigned": _l("assigned a supervisor"),
    "enterprise_created": _l("added an enterprise"),
    "enterprise_changed": _l("changed an enterprise"),
    "enterprises_imported": _l("imported enterprises"),
    "form_uploaded": _l("uploaded a form"),
    "form_published": _l("published a form"),
    "series_created": _l("created a series"),
    "series_history_imported": _l("imported a series' past results"),
    "campaign_created": _l("created a campaign"),
    "campaign_policy": _l("changed a campaign's scoring policy"),
    "campaign_status": _l("changed a campaign's status"),
    "campaign_round": _l("set a campaign's round in its series"),
    "judge_assigned": _l("assigned a judge"),
    "judge_removed": _l("removed a judge"),
    "result_frozen": _l("froze a result"),
    "result_published": _l("published a result for public notice"),
    "result_final": _l("confirmed a result as final"),
}
# Events whose subject is a user name, and the one whose subject is a user id.
BY_USERNAME = {
    "login",
    "login_failed",
    "login_throttled",
    "user_created",
    "user_enabled",
    "user_disabled",
    "password_reset",
    "role_granted",
    "role_revoked",
}
NUMBERED = re.compile(r"^(campaign|series) (\d+)$")


class Names(msgspec.Struct):
    """What the page looked up: people by id and by user name, and named things."""

    users: dict[int, str] = {}
    usernames: dict[str, str] = {}
    campaigns: dict[int, str] = {}
    series: dict[int, str] = {}
    enterprises: dict[str, str] = {}  # by credit code


class AuditLine(msgspec.Struct, frozen=True):
    event: str  # the stable code, for the filter link
    at: str  # Beijing time
    what: str
    target: str
    who: str
    ip: str


def event_label(code: str) -> str:
    return _(EVENT_LABELS[code]) if code in EVENT_LABELS else code


def describe(row: dict, names: Names) -> AuditLine:
    """One stored event as words, with names in place of ids where they are known."""
    event, subject = row["event"], row["subject"] or ""
    actor = row["actor_id"]
    who = names.users.get(actor, f"#{actor}") if actor is not None else ""
    if not who and event in BY_USERNAME and event.startswith("login"):
        who = _person(subject, names)  # a failed sign-in: the name typed is all we have
    return AuditLine(
        event=event,
        at=local_time(_aware(row["at"])),
        what=event_label(event),
        target=_target(event, subject, names, _detail(row["detail"])),
        who=who or "—",
        ip=row["ip"] or "",
    )


def _target(event: str, subject: str, names: Names, detail: dict) -> str:
    if event.startswith("login") or event in {"logout", "password_changed"}:
        return ""
    if event in BY_USERNAME:
        text = _person(subject, names)
        if "role" in detail:
            text += f"：{role_label(str(detail['role']))}"
        return text
    if event == "supervisor_assigned" and subject.isdigit():
        return names.users.get(int(subject), f"#{subject}")
    if event in {"token_created", "token_used"}:
        return _("token %(prefix)s…") % {"prefix": subject}
    if event == "token_revoked":
        return _("token #%(id)s") % {"id": subject}
    if event.startswith("enterprise_") and subject in names.enterprises:
        return f"{names.enterprises[subject]}（{subject}）"
    numbered = NUMBERED.match(subject)
    if numbered:
        kind, number = numbered.group(1), int(numbered.group(2))
        found = (names.campaigns if kind == "campaign" else names.series).get(number)
        text = found or subject
        if "number" in detail:
            text += " · " + _("snapshot %(number)s") % {"number": detail["number"]}
        return text
    return subject


def _person(username: str, names: Names) -> str:
    name = names.usernames.get(username)
    return f"{name}（{username}）" if name and name != username else username


def _detail(text: str) -> dict:
    try:
        found = json.loads(text) if text else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def names_for(rows: list[dict]) -> Names:
    """The names the events refer to, in one query per kind of thing."""
    from service.campaigns.tables import Campaign
    from service.orgs.tables import Enterprise
    from service.series.tables import Series

    from .tables import User

    user_ids = {r["actor_id"] for r in rows if r["actor_id"] is not None}
    user_ids |= {
        int(r["subject"])
        for r in rows
        if r["event"] == "supervisor_assigned" and (r["subject"] or "").isdigit()
    }
    usernames = {r["subject"] for r in rows if r["event"] in BY_USERNAME and r["subject"]}
    numbered = [NUMBERED.match(r["subject"] or "") for r in rows]
    campaign_ids = {int(m.group(2)) for m in numbered if m and m.group(1) == "campaign"}
    series_ids = {int(m.group(2)) for m in numbered if m and m.group(1) == "series"}
    codes = {r["subject"] for r in rows if r["event"].startswith("enterprise_") and r["subject"]}
    names = Names()
    if user_ids or usernames:
        people = await User.select(User.id, User.username, User.display_name).where(
            (User.id.is_in(list(user_ids) or [0])) | (User.username.is_in(list(usernames) or [""]))
        )
        names.users = {p["id"]: p["display_name"] for p in people}
        names.usernames = {p["username"]: p["display_name"] for p in people}
    if campaign_ids:
        found = await Campaign.select(Campaign.id, Campaign.name).where(
            Campaign.id.is_in(list(campaign_ids))
        )
        names.campaigns = {c["id"]: c["name"] for c in found}
    if series_ids:
        found = await Series.select(Series.id, Series.name).where(Series.id.is_in(list(series_ids)))
        names.series = {s["id"]: s["name"] for s in found}
    if codes:
        found = await Enterprise.select(Enterprise.credit_code, Enterprise.name).where(
            Enterprise.credit_code.is_in(list(codes))
        )
        names.enterprises = {e["credit_code"]: e["name"] for e in found}
    return names
