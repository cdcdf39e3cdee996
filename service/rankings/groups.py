"""Groups of participants: by area, industry, ownership and size band. A ranking is
always computed over the chosen group (filter first, then rank). Pure."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from msgspec import Struct

from .inputs import ParticipantScores
from .policy import GroupBy


class SizeBand(enum.StrEnum):
    """Head-count bands of the national SME rule for industry (统计上大中小微型企业划分办法,
    2017): the rule also weighs revenue and differs by industry; head count alone is
    what the enterprise list has."""

    micro = "micro"  # 微型 < 20
    small = "small"  # 小型 20–299
    medium = "medium"  # 中型 300–999
    large = "large"  # 大型 ≥ 1000


# Each band's head counts, [low, high) (None: open): what size_band and the SQL of
# the charts' statistics both read.
HEAD_COUNTS: dict[SizeBand, tuple[int | None, int | None]] = {
    SizeBand.micro: (None, 20),
    SizeBand.small: (20, 300),
    SizeBand.medium: (300, 1000),
    SizeBand.large: (1000, None),
}


def size_band(head_count: int | None) -> SizeBand | None:
    """The size band of a head count (None when unknown)."""
    if head_count is None:
        return None
    return next(
        band
        for band, (low, high) in HEAD_COUNTS.items()
        if (low is None or head_count >= low) and (high is None or head_count < high)
    )


class Group(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A filter of participants; a field left None matches everyone."""

    village: str | None = None
    industry: str | None = None
    ownership: str | None = None
    size_band: SizeBand | None = None

    def matches(self, row: ParticipantScores) -> bool:
        return all(
            wanted is None or group_value(row, by) == wanted
            for by, wanted in (
                (GroupBy.village, self.village),
                (GroupBy.industry, self.industry),
                (GroupBy.ownership, self.ownership),
                (GroupBy.size_band, self.size_band),
            )
        )


def group_value(row: ParticipantScores, by: GroupBy) -> str | None:
    """The participant's area, industry, ownership or size band (None when unknown)."""
    if by is GroupBy.size_band:
        return size_band(row.head_count)
    return getattr(row, by.value)


def filter_rows(
    rows: Iterable[ParticipantScores],
    *,
    village: str | None = None,
    industry: str | None = None,
    ownership: str | None = None,
    size_band: SizeBand | None = None,
) -> list[ParticipantScores]:
    """The rows of one group; rank these to rank within the group."""
    group = Group(village=village, industry=industry, ownership=ownership, size_band=size_band)
    return [row for row in rows if group.matches(row)]


def group_of(
    village: str | None, industry: str | None, ownership: str | None, band: str | None
) -> Group | None:
    """The group a page's filters choose (blank filters: everyone, None)."""
    sizes = {b.value: b for b in SizeBand}
    group = Group(
        village=village or None,
        industry=industry or None,
        ownership=ownership or None,
        size_band=sizes.get(band or ""),
    )
    return None if group == Group() else group
