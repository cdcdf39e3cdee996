"""Series (评比系列): the rounds of one competition run year after year by one town or
county (its yearly 安康杯), and what units won before the service was used."""

from piccolo.columns import ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from service.accounts.tables import User
from service.orgs.tables import Town


class Series(Table, tablename="series"):
    """A competition's rounds: its campaigns (campaign.series) and imported past results."""

    name = Varchar(length=200)
    town = ForeignKey(Town, null=False, index=True, on_delete=OnDelete.restrict)  # the owner
    kind = Varchar(length=32, default="ankang_cup")  # service/series/rules.py: Kind
    created_at = Timestamptz()


class PastTitle(Table, tablename="series_history"):
    """A unit's grade or title in a round held before the service (imported from a
    spreadsheet); one per (series, year, credit code), see the migration."""

    series = ForeignKey(Series, null=False, index=True, on_delete=OnDelete.cascade)
    year = Integer()
    round_label = Varchar(length=50, default="")  # as the file names the round ("2023–2024")
    credit_code = Varchar(length=18)  # the unit's; it may not be registered here yet
    enterprise_name = Varchar(length=200)
    grade = Varchar(length=50, default="")
    award = Varchar(length=100, default="")
    imported_at = Timestamptz()
    imported_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
