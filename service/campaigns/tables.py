"""Campaigns (评比/检查活动): a form version, its participants, a window, who fills what."""

from piccolo.columns import Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from service.accounts.tables import User
from service.forms.tables import FormVersion
from service.orgs.tables import Enterprise, Team, Town
from service.series.tables import Series


class Campaign(Table, tablename="campaign"):
    name = Varchar(length=200)
    town = ForeignKey(Town, null=False, index=True, on_delete=OnDelete.restrict)
    # The version is fixed when the campaign is created: later versions of the form
    # do not change a running campaign.
    form_version = ForeignKey(FormVersion, null=False, index=True, on_delete=OnDelete.restrict)
    status = Varchar(length=16, default="draft", index=True)  # draft | open | closed
    opens_at = Timestamptz()
    closes_at = Timestamptz()
    # Who fills the form in this campaign.
    self_assessment = Boolean(default=False)  # each participating enterprise
    judges = Boolean(default=False)  # the judges assigned to the campaign
    supervisors = Boolean(default=False)  # the supervisors watching each enterprise
    # The scoring policy (service/rankings/policy.py) as JSON; empty: the defaults,
    # with the grade bands of the form.
    policy = Text(default="")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
    # The series it is a round of (None: a campaign of its own) and the round's year
    # (None: the year it opens), which rules over rounds count in.
    series = ForeignKey(Series, null=True, default=None, index=True, on_delete=OnDelete.restrict)
    round_year = Integer(null=True, default=None)
    round_label = Varchar(length=50, default="")


class Participant(Table, tablename="campaign_participant"):
    """An enterprise, or a work team of one, taking part in a campaign."""

    campaign = ForeignKey(Campaign, null=False, index=True, on_delete=OnDelete.cascade)
    enterprise = ForeignKey(Enterprise, null=False, index=True, on_delete=OnDelete.restrict)
    team = ForeignKey(Team, null=True, default=None, on_delete=OnDelete.restrict)


class JudgeAssignment(Table, tablename="judge_assignment"):
    """A judge on a campaign's panel; with an enterprise, only for that enterprise."""

    campaign = ForeignKey(Campaign, null=False, index=True, on_delete=OnDelete.cascade)
    user = ForeignKey(User, null=False, index=True, on_delete=OnDelete.cascade)
    enterprise = ForeignKey(Enterprise, null=True, default=None, on_delete=OnDelete.cascade)
