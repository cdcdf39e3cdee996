"""The group a rankings page, chart, download or API call is about: the same four
query filters everywhere (area, industry, ownership, size band), as one dependency."""

from __future__ import annotations

from litestar.di import Provide
from litestar.params import FromQuery

from .groups import Group, group_of


def chosen_group(
    village: FromQuery[str | None] = None,
    industry: FromQuery[str | None] = None,
    ownership: FromQuery[str | None] = None,
    size: FromQuery[str | None] = None,
) -> Group | None:
    """The group the filters choose (none chosen, or none valid: everyone, None)."""
    return group_of(village, industry, ownership, size)


def chosen_filters(group: Group | None) -> dict[str, str]:
    """The filters as the page's form shows them again (an unknown size band: none)."""
    shown = group or Group()
    return {
        "village": shown.village or "",
        "industry": shown.industry or "",
        "ownership": shown.ownership or "",
        "size": shown.size_band.value if shown.size_band else "",
    }


# For a controller's `dependencies`: a handler asks for `group: NamedDependency[Group | None]`.
GROUP = {"group": Provide(chosen_group, sync_to_thread=False)}
