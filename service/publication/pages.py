"""What the result pages share: a snapshot's stage, its page (the admin's whole one or
the public notice), and the words for stages and standings."""

from __future__ import annotations

import datetime as dt

from litestar.exceptions import NotFoundException
from litestar.response import Template

from service.campaigns.rules import day
from service.forms import catalog
from service.rankings.policy import describe_for
from service.rankings.rows import full_marks
from service.web.i18n import _l, current_language
from service.web.i18n import gettext_ as _

from . import queries, results
from .listing import page_of
from .rules import Stage, stage
from .snapshot import UNRANKED, changes, public_changes


def stages(entries: list[queries.SnapshotEntry], now: dt.datetime) -> dict[int, Stage]:
    """The stage of each of a campaign's snapshots (`entries`: the newest first)."""
    newest = next((e.number for e in entries if e.published_at is not None), None)
    return {e.number: stage(e.state, now, newest_published=newest) for e in entries}


def entry_of(entries: list[queries.SnapshotEntry], number: int) -> queries.SnapshotEntry:
    """Snapshot `number` of a campaign's (404 when it has none such)."""
    entry = next((e for e in entries if e.number == number), None)
    if entry is None:
        raise NotFoundException("No such snapshot")
    return entry


async def snapshot_page(
    campaign: dict,
    entries: list[queries.SnapshotEntry],
    entry: queries.SnapshotEntry,
    q: str,
    page: int,
    *,
    public: bool = False,
) -> Template:
    """A snapshot's page: the admin's (every participant, every score) or the public
    notice (the ranked participants; the others counted, never named). The comparison
    is with the snapshot before it; for the public, with the one published before it.
    `entries`: all the campaign's snapshots, the newest first."""
    earlier = [
        e for e in entries if e.number < entry.number and (e.published_at is not None or not public)
    ]
    shown = await results.frozen(entry)
    before = await results.frozen(earlier[0]) if earlier else None
    found = changes(before.rows, shown.rows, (before.policy, shown.policy)) if before else None
    if public and found is not None:
        found = public_changes(found)
    rows = [r for r in shown.rows if r.rank is not None] if public else shown.rows
    # A campaign's form version is fixed when it is created: the snapshot's is the campaign's.
    definition = await catalog.definition_by_id(
        campaign["form_version_id"], campaign["content_hash"]
    )
    context = {
        "campaign": campaign,
        "entry": entry,
        "stage": stages(entries, dt.datetime.now(dt.UTC))[entry.number],
        "policy": shown.policy,
        "full_marks": full_marks(definition),
        "policy_text": describe_for(shown.policy, definition, current_language.get()),
        "listing": page_of(rows, q, page),
        "unranked": len(shown.rows) - entry.ranked,
        "earlier": earlier[0] if earlier else None,
        "newest": entries[0].number == entry.number,
        "earlier_policy": before.policy if before else None,
        "changes": found,
        "public": public,
        "q": q,
    }
    return Template(
        "publication/notice.html" if public else "publication/snapshot.html", context=context
    )


STAGE_LABELS = {
    Stage.frozen: _l("frozen, not published"),
    Stage.on_notice: _l("on public notice"),
    Stage.notice_over: _l("notice period over, to be confirmed"),
    Stage.final: _l("final"),
    Stage.superseded: _l("superseded by a later result"),
}

STANDING_LABELS = {
    "ranked": _l("ranked"),
    "ineligible": _l("ineligible"),
    "incomplete": _l("incomplete"),
    UNRANKED: _l("not ranked"),
}


def stage_label(value: str) -> str:
    return _(STAGE_LABELS[Stage(value)]) if value in Stage.__members__ else value


def standing_label(value: str | None) -> str:
    return _(STANDING_LABELS[value]) if value in STANDING_LABELS else ""


TEMPLATE_GLOBALS = {"stage_label": stage_label, "standing_label": standing_label, "day": day}
