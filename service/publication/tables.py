"""Result snapshots (结果快照): a campaign's ranking frozen for public notice (公示).

A snapshot stores everything that made the ranking, so that the published result
can be defended and reproduced later: the policy, the form version, every counted
submission's revision and total, the ranking inputs and the ranked rows. Its content
columns are written once, at freezing; only the publication columns (published,
notice period, final) change afterwards. A later correction makes a new snapshot
with the next number, never an edit of a published one.
"""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from service.accounts.tables import User
from service.campaigns.tables import Campaign
from service.forms.tables import FormVersion


class ResultSnapshot(Table, tablename="result_snapshot"):
    # RESTRICT: a campaign whose result was frozen can never be deleted from under it.
    campaign = ForeignKey(Campaign, null=False, index=True, on_delete=OnDelete.restrict)
    number = Integer()  # 1, 2, … within the campaign (unique, see the migration)
    created_at = Timestamptz()
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    reason = Text(default="")  # why a later snapshot was made (a correction, an appeal)
    form_version = ForeignKey(FormVersion, null=False, on_delete=OnDelete.restrict)
    form_hash = Varchar(length=64, default="")  # the content hash of the form version
    policy = Text()  # the Policy as JSON
    scores = Text()  # JSON: every counted submission (InputScore), the ranking's evidence
    inputs = Text()  # JSON: the ParticipantScores rows the ranking was computed from
    result = Text()  # JSON: the ranked rows (SnapshotRow)
    digest = Varchar(length=64)  # sha256 of the policy, form and inputs: what was ranked
    participants = Integer(default=0)
    ranked = Integer(default=0)
    # Publication (the only columns that change after freezing).
    published_at = Timestamptz(null=True, default=None)
    published_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    notice_ends = Timestamptz(null=True, default=None)  # 23:59:59 local on the last day
    contact = Text(default="")  # where objections go during the notice period
    final_at = Timestamptz(null=True, default=None)
    final_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
