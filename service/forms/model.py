"""The typed model of a form definition (forms/*.yaml).

A clerk writes YAML; msgspec turns it into these structs. Item types are a tagged
union on the `type` key, so a misspelt type is reported with the list of valid ones.
Every label is either plain Chinese text or a `{zh: …, en: …}` mapping.
"""

from __future__ import annotations

import enum
from typing import Annotated

from msgspec import Meta, Struct
from msgspec.structs import force_setattr

FORM_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ITEM_ID_PATTERN = r"^[a-z0-9]+([-_][a-z0-9]+)*$"

FormId = Annotated[str, Meta(pattern=FORM_ID_PATTERN, max_length=64)]
ItemId = Annotated[str, Meta(pattern=ITEM_ID_PATTERN, max_length=64)]
Points = Annotated[float, Meta(ge=0)]
MAX_VERSION = 1_000_000  # fits every database integer column


class Text(Struct, forbid_unknown_fields=True, frozen=True):
    """A label in Chinese (required) and English (optional)."""

    zh: Annotated[str, Meta(min_length=1)]
    en: str | None = None


Label = Annotated[str, Meta(min_length=1)] | Text


class Role(enum.StrEnum):
    admin = "admin"
    supervisor = "supervisor"
    enterprise = "enterprise"
    judge = "judge"


class FormKind(enum.StrEnum):
    scored = "scored"  # 评分表: points, gates, vetoes, grade
    checklist = "checklist"  # 检查表: yes/no items, failures become hazard candidates
    register = "register"  # 登记卡: a card such as the chemical information card
    report = "report"  # 报告: e.g. a supervisor's hazard report


class HazardGrade(enum.StrEnum):
    general = "general"  # 一般
    larger = "larger"  # 较大
    major = "major"  # 重大


class CheckAnswer(enum.StrEnum):
    yes = "yes"
    no = "no"


class NotApplicablePolicy(enum.StrEnum):
    rescale = "rescale"  # drop from the denominator, scale the rest to the declared max
    full_marks = "full_marks"  # count as if fully met


class Rounding(enum.StrEnum):
    """Half up, as rounded by hand (7.25 → 7.3), never banker's rounding."""

    whole = "whole"  # 取整
    one_decimal = "one_decimal"  # 保留一位小数


class SectionKind(enum.StrEnum):
    standard = "standard"  # item points add up to the section's points
    deduction = "deduction"  # starts at `points`, items deduct, capped at `cap`
    bonus = "bonus"  # items add on top of the total, capped at `cap`


class TextFormat(enum.StrEnum):
    cas = "cas"  # CAS registry number with its check digit
    phone = "phone"  # a Chinese phone number (mobile, landline or short service number)


# ---------------------------------------------------------------- conditions


class ShowIf(Struct, forbid_unknown_fields=True, frozen=True):
    """Show an item (or a whole section) only when another item's answer matches.

    `equals` takes one value; `any_of` takes a list; for multiple choice the
    item is shown when any chosen option matches.
    """

    item: ItemId
    equals: str | float | None = None
    any_of: list[str | float] | None = None


class Veto(Struct, forbid_unknown_fields=True, frozen=True):
    """一票否决: the answer `when` makes the whole result ineligible."""

    reason: Label
    when: CheckAnswer = CheckAnswer.yes


class Hazard(Struct, forbid_unknown_fields=True, frozen=True):
    """A failed answer marks a hazard candidate (隐患) with this default grade."""

    grade: HazardGrade = HazardGrade.general


# ---------------------------------------------------------------- items


class ItemBase(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    id: ItemId
    label: Label
    standard: Label | None = None  # 评分标准 / 检查标准, shown folded under the item
    required: bool = False
    show_if: ShowIf | None = None
    allow_na: bool | None = None  # None: checks allow 不适用, other types do not


class Check(ItemBase, tag="check"):
    """Yes / no / not applicable. `good` is the answer that passes."""

    good: CheckAnswer | None = None  # None: `yes`; `no` with a one-line veto
    points: Points = 0  # earned when the answer is good
    deduct: Points = 0  # taken when the answer is not good (deduction sections)
    veto: Veto | str | None = None  # a plain string: the one-line veto, see __post_init__
    mandatory: bool = False  # 必备: must be good for the result to be eligible
    evidence_on_fail: bool = False  # a photo is required when the answer fails
    hazard: Hazard | None = None
    finding: Label | None = None  # what is wrong when it fails: "作业通道堵塞"
    info: bool = False  # 仅作了解: no points and never failed (e.g. 是否使用危险化学品)

    def __post_init__(self) -> None:
        # `veto: 发生重伤事故` means "answering yes vetoes": good is no, and 不适用 is not
        # offered (it would silently mean "no veto"). Stored forms never had a string
        # veto, so an absent `good` or `allow_na` keeps its old meaning for them.
        one_line = isinstance(self.veto, str)
        if one_line:
            force_setattr(self, "veto", Veto(reason=self.veto))
            if self.allow_na is None:
                force_setattr(self, "allow_na", False)
        if self.good is None:
            force_setattr(self, "good", CheckAnswer.no if one_line else CheckAnswer.yes)


class Option(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    id: Annotated[str, Meta(min_length=1, max_length=64)]
    label: Label
    score: float = 0  # negative values are deductions
    veto: Label | None = None  # choosing this option vetoes, with this reason


class Choice(ItemBase, tag="choice"):
    """Single choice; the chosen option's score counts."""

    options: list[Option]


class MultiChoice(ItemBase, tag="multi"):
    """Multiple choice; chosen scores add up, capped at `points` when given."""

    options: list[Option]
    points: Points | None = None
    min_selected: Annotated[int, Meta(ge=0)] = 0
    max_selected: Annotated[int, Meta(ge=1)] | None = None


class Number(ItemBase, tag="number"):
    min: float | None = None
    max: float | None = None
    unit: Label | None = None
    integer: bool = False


class Rate(ItemBase, tag="rate"):
    """A percentage 0–100. Full `points` at or above `target`; each full `per`
    percentage points below it deducts `deduct`, down to zero (or each begun step,
    with `part_step_counts`)."""

    points: Points = 0
    target: Annotated[float, Meta(ge=0, le=100)] = 100
    deduct: Points = 0
    per: Annotated[float, Meta(gt=0)] = 1
    # 不足一档按一档计: a part of a `per` step below the target counts as a whole step.
    part_step_counts: bool = False
    # 按比例扣分: each `per` points below the target take `minus`, a part of a step its
    # part (96.4% with minus 0.25 → 3.6 × 0.25). A new key: `deduct` keeps whole steps.
    minus: Points = 0


class DefectCount(ItemBase, tag="count"):
    """A count of defects: each one deducts `deduct_each` from `points`, down to zero
    (缺一项扣1分，扣完为止). In a deduction section there are no points to start from."""

    points: Points = 0
    deduct_each: Points = 1
    max_count: Annotated[int, Meta(ge=0)] | None = None


class ShortText(ItemBase, tag="text"):
    max_length: Annotated[int, Meta(ge=1)] = 200
    format: TextFormat | None = None


class LongText(ItemBase, tag="long_text"):
    max_length: Annotated[int, Meta(ge=1)] = 5000


class DateItem(ItemBase, tag="date"):
    pass


class Photo(ItemBase, tag="photo"):
    min_count: Annotated[int, Meta(ge=0)] = 0
    max_count: Annotated[int, Meta(ge=1)] = 5


class Location(ItemBase, tag="location"):
    """GPS position captured by the phone; a refusal is recorded, not an error."""


Item = (
    Check
    | Choice
    | MultiChoice
    | Number
    | Rate
    | DefectCount
    | ShortText
    | LongText
    | DateItem
    | Photo
    | Location
)
ITEM_TYPES: tuple[type[ItemBase], ...] = (
    Check,
    Choice,
    MultiChoice,
    Number,
    Rate,
    DefectCount,
    ShortText,
    LongText,
    DateItem,
    Photo,
    Location,
)
SCORED_ITEM_TYPES = (Check, Choice, MultiChoice, Rate, DefectCount)

# ---------------------------------------------------------------- sections and scoring


class Section(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    id: ItemId
    title: Label
    kind: SectionKind = SectionKind.standard
    points: Points = 0  # the section's maximum (standard, deduction)
    cap: Points | None = None  # the most a bonus adds / a deduction section takes
    note: Label | None = None
    # The whole section is asked only when an earlier item's answer matches; hidden,
    # its items are as if hidden one by one (not required, not scored: not applicable).
    show_if: ShowIf | None = None
    items: list[Item]


class Gate(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A condition for eligibility (or for a grade). Give exactly one rule."""

    min_total: float | None = None
    min_section_percent: Annotated[float, Meta(ge=0, le=100)] | None = None
    section: ItemId | None = None  # with min_points or min_percent: one section only
    min_points: float | None = None
    min_percent: Annotated[float, Meta(ge=0, le=100)] | None = None
    item: ItemId | None = None  # with at_least (a number or rate answer), or an answer
    at_least: float | None = None
    equals: str | None = None  # the answer of a check, choice or multi must be this,
    any_of: list[str] | None = None  # or one of these,
    none_of: list[str] | None = None  # or none of these (a multi: no chosen one)
    label: Label | None = None  # how to say it to a clerk; generated when absent


class Grade(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    id: ItemId
    min: float
    label: Label
    requires: list[Gate] = []


class GradeCap(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """最高评为…: while the answer matches, no grade above `at_most` is given."""

    item: ItemId
    equals: str | None = None
    any_of: list[str] | None = None
    at_most: ItemId  # a grade id
    reason: Label


class Scoring(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    max: Annotated[float, Meta(gt=0)]
    not_applicable: NotApplicablePolicy = NotApplicablePolicy.rescale
    gates: list[Gate] = []
    grades: list[Grade] = []  # highest threshold first
    grade_caps: list[GradeCap] = []
    out_of: Annotated[float, Meta(gt=0)] | None = None  # the total reported on this scale
    round_sections: Rounding | None = None  # before they are added up and gated
    round_total: Rounding | None = None  # after out_of, before gates and grades


class FormDefinition(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    id: FormId
    version: Annotated[int, Meta(ge=1, le=MAX_VERSION)]
    kind: FormKind
    title: Label
    basis: Label  # 依据: the document the table follows
    roles: Annotated[list[Role], Meta(min_length=1)]
    description: Label | None = None
    scoring: Scoring | None = None
    sections: Annotated[list[Section], Meta(min_length=1)]

    def items(self) -> list[tuple[Section, Item]]:
        return [(section, item) for section in self.sections for item in section.items]

    def item_map(self) -> dict[str, Item]:
        return {item.id: item for _, item in self.items()}


def as_text(label: Label) -> Text:
    return Text(zh=label) if isinstance(label, str) else label


def text(label: Label | None, lang: str = "zh") -> str:
    """The label in `lang`, falling back to Chinese."""
    if label is None:
        return ""
    if isinstance(label, str):
        return label
    if lang == "en" and label.en:
        return label.en
    return label.zh


def item_type_name(item: ItemBase) -> str:
    return type(item).__struct_config__.tag  # type: ignore[return-value]


def allows_na(item: ItemBase) -> bool:
    if item.allow_na is None:  # a mandatory (必备) check must be met, so no 不适用
        return isinstance(item, Check) and not item.mandatory
    return item.allow_na
