"""The scoring-table workbook layout: sheets, columns, settings rows. One place.

A column says which field of the form language it fills, per kind of row: "section" for a
部分 heading row, "item" for every item row, or an item type ("check", "rate", …) for
rows of that type only. A field path may be nested (`veto.reason`, `hazard.grade`) and a
path ending in `@en` is the English of the label at the same path. The reader and the
writer both work from this table, so a new field of the language is one new Column here
(and a line in forms/SPREADSHEET.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import (
    CheckAnswer,
    FormKind,
    HazardGrade,
    NotApplicablePolicy,
    Role,
    Rounding,
    SectionKind,
    TextFormat,
)
from .cells import BOOL, INTEGER, NUMBER, PRO_RATA, TEXT, ValueKind, Words, words

ITEMS_SHEET = "评分表"
OPTIONS_SHEET = "选项"
SETTINGS_SHEET = "设置"
HELP_SHEET = "填写说明"

ITEM_TYPES = Words(
    {
        "check": ("是否", "判断", "是非", "检查", "check"),
        "choice": ("单选", "选择", "choice"),
        "multi": ("多选", "multi"),
        "number": ("数值", "数字", "number"),
        "rate": ("比率", "百分比", "达标率", "rate"),
        "count": ("缺项数", "计数", "扣分项数", "count"),
        "text": ("文本", "短文本", "填空", "text"),
        "long_text": ("长文本", "多行文本", "long_text"),
        "date": ("日期", "date"),
        "photo": ("照片", "拍照", "photo"),
        "location": ("位置", "定位", "location"),
    }
)
SECTION_KINDS = Words(
    {
        SectionKind.standard.value: ("标准", "得分", "standard"),
        SectionKind.deduction.value: ("扣分", "扣分项", "deduction"),
        SectionKind.bonus.value: ("加分", "加分项", "鼓励项", "bonus"),
    }
)
ANSWERS = Words({CheckAnswer.yes.value: ("是", "√", "有"), CheckAnswer.no.value: ("否", "×", "无")})
HAZARD_GRADES = Words(
    {
        HazardGrade.general.value: ("一般", "general"),
        HazardGrade.larger.value: ("较大", "larger"),
        HazardGrade.major.value: ("重大", "major"),
    }
)
TEXT_FORMATS = Words(
    {TextFormat.cas.value: ("CAS号", "cas"), TextFormat.phone.value: ("电话", "phone")}
)
FORM_KINDS = Words(
    {
        FormKind.scored.value: ("评分表", "scored"),
        FormKind.checklist.value: ("检查表", "checklist"),
        FormKind.register.value: ("登记卡", "register"),
        FormKind.report.value: ("报告", "report"),
    }
)
ROLES = Words(
    {
        Role.enterprise.value: ("企业", "enterprise"),
        Role.judge.value: ("评委", "考核组", "judge"),
        Role.supervisor.value: ("监督员", "supervisor"),
        Role.admin.value: ("管理员", "工会", "admin"),
    }
)
NA_POLICIES = Words(
    {
        NotApplicablePolicy.rescale.value: ("按比例折算", "折算", "rescale"),
        NotApplicablePolicy.full_marks.value: ("按满分计", "满分", "full_marks"),
    }
)

ROUNDINGS = Words(
    {
        Rounding.one_decimal.value: ("保留一位小数", "一位小数", "保留1位小数", "one_decimal"),
        Rounding.whole.value: ("取整", "保留整数", "四舍五入取整", "整数", "whole"),
    }
)


@dataclass(frozen=True)
class Column:
    header: str
    kind: ValueKind
    fields: dict[str, str]  # "section" / "item" / an item type → field path
    width: int = 10
    help: str = ""
    aliases: tuple[str, ...] = ()  # other headers clerks use for the same column

    def field_for(self, row_kind: str) -> str | None:
        if row_kind == "section":
            return self.fields.get("section")
        return self.fields.get(row_kind, self.fields.get("item"))


SECTION = "部分"
NUMBER_IN_SECTION = "序号"
CONTENT = "考核内容"
POINTS = "分值"
ITEM_TYPE = "题型"
OPTIONS = "选项"
SHOW_IF = "显示条件"
VETO_WHEN = "否决条件"
GOOD_ANSWER = "合格答案"
PRO_RATA_RULE = "按比例扣分"
PER_STEP = "每档"
ALLOW_NA = "可不适用"

SCORED = ("check", "multi", "rate", "count")

COLUMNS: tuple[Column, ...] = (
    Column(
        SECTION,
        TEXT,
        {"section": "title"},
        16,
        "部分（考核项目）名称。单独一行写部分名称即开始一个新部分；也可在每个考核内容行"
        "填写（可合并单元格）。名称后的“（8分）”读作该部分分值。",
        ("项目", "考核项目", "类别", "考核部分"),
    ),
    Column(
        NUMBER_IN_SECTION,
        TEXT,
        {},
        6,
        "部分内的序号（1、2、3…）。编号留空时，用“部分编号-序号”生成编号。",
        ("序", "No"),
    ),
    Column(
        CONTENT,
        TEXT,
        {"item": "label"},
        40,
        "考核内容（题目）。部分标题行此列留空。",
        ("考核要求", "检查内容", "检查项目", "内容"),
    ),
    Column(
        POINTS,
        NUMBER,
        {"section": "points", **{t: "points" for t in SCORED}},
        8,
        "该项满分；部分标题行为该部分分值（留空则为各项之和）。单选题的分值是最高选项分，"
        "可不填；多选题为得分上限。",
        ("标准分", "分数", "满分", "分值(分)"),
    ),
    Column(
        "评分标准",
        TEXT,
        {"section": "note", "item": "standard"},
        40,
        "评分标准或检查标准，原文粘贴；部分标题行为该部分的说明。",
        ("考核标准", "检查标准", "评分办法", "评分细则", "扣分标准"),
    ),
    Column(
        ITEM_TYPE,
        words("题型", ITEM_TYPES),
        {"item": "type"},
        8,
        "留空即“是否”题。",
        ("类型", "题目类型"),
    ),
    Column(
        "扣分",
        NUMBER,
        {"check": "deduct", "count": "deduct_each", "rate": "deduct"},
        7,
        "是否题：不合格时扣的分（扣分部分）；缺项数：每缺一项扣的分（默认1）；"
        "比率：每低满一档扣的分（整档扣，不足一档不扣；按比例扣填“按比例扣分”列）。",
        ("每项扣分",),
    ),
    Column(
        PRO_RATA_RULE,
        PRO_RATA,
        {"rate": "minus"},
        14,
        "比率题按比例扣分，照细则原文写“每低1个百分点扣0.25分”（也可只填0.25，档距见“每档”）："
        "差多少扣多少，96.4%扣3.6×0.25=0.9分，扣完为止。与“扣分”列只填一个。",
        ("扣分规则", "按比例"),
    ),
    Column("目标值", NUMBER, {"rate": "target"}, 7, "比率题的达标值（%），默认100。"),
    Column(PER_STEP, NUMBER, {"rate": "per"}, 6, "比率题：每低多少个百分点为一档，默认1。"),
    Column(
        "不足一档按一档", BOOL, {"rate": "part_step_counts"}, 8, "比率题：不足一档是否按一档扣。"
    ),
    Column(
        OPTIONS,
        TEXT,
        {"choice": "options", "multi": "options"},
        14,
        "单选、多选题的选项表名称，在“选项”表中列出选项。",
    ),
    Column(
        "否决",
        TEXT,
        {"check": "veto.reason"},
        24,
        "一票否决的理由；填写即为否决项。只填这一列即可：答“是”即否决（题目写成"
        "“本年度发生重伤及以上事故”这样的事实），不提供“不适用”。",
        ("否决项", "一票否决"),
    ),
    Column(
        VETO_WHEN,
        words("答案", ANSWERS),
        {"check": "veto.when"},
        8,
        "否决项答什么即否决；留空即“是”（填了合格答案时为不合格答案）。"
        "题目写成“已开展竞赛”这类要求时填“否”。",
    ),
    Column(
        GOOD_ANSWER,
        words("答案", ANSWERS),
        {"check": "good"},
        8,
        "是否题的合格答案，默认“是”（否决项默认“否”）；如“本年度发生事故”合格答案为“否”。",
    ),
    Column("必备", BOOL, {"check": "mandatory"}, 6, "必备项：必须合格才有评选资格。"),
    Column(
        "隐患等级",
        words("隐患等级", HAZARD_GRADES),
        {"check": "hazard.grade"},
        8,
        "填写后，不合格即生成该等级的隐患待整改。",
    ),
    Column("不合格须拍照", BOOL, {"check": "evidence_on_fail"}, 8, "不合格时必须拍照留证。"),
    Column(
        "不合格表述",
        TEXT,
        {"check": "finding"},
        16,
        "是否题不合格时的问题表述，如“作业通道堵塞”：结果页显示，也是隐患的标题"
        "（留空则为“不符合：”加考核内容）。",
    ),
    Column(
        "仅作了解",
        BOOL,
        {"check": "info"},
        8,
        "了解情况的是否题（如“是否使用危险化学品”，常作后面题目的显示条件）：不计分，"
        "不算不合格，不生成隐患；不填分值、扣分、否决、必备、隐患等级。",
        ("仅供了解", "了解项"),
    ),
    Column(
        SHOW_IF,
        TEXT,
        {"item": "show_if", "section": "show_if"},
        18,
        "仅当前面某项的答案相符时显示本项，写作“编号=值”，多个值用“、”分隔，"
        "如 s1-2=是、uses-chemicals=是；也可写“第12行=是”。写在部分标题行：整个部分"
        "仅在此时填写（条件须是前面部分的题目）。",
    ),
    Column("必答", BOOL, {"item": "required"}, 6, "提交前必须作答。"),
    Column(
        ALLOW_NA,
        BOOL,
        {"item": "allow_na"},
        8,
        "可否答“不适用”；留空：是否题可以（必备项、否决项除外），其他题型不可以。"
        "否决项填“是”即答“不适用”时不否决。",
    ),
    Column(
        "下限",
        NUMBER,
        {"number": "min", "multi": "min_selected", "photo": "min_count"},
        6,
        "数值题最小值；多选题最少选几项；照片最少几张。",
    ),
    Column(
        "上限",
        NUMBER,
        {
            "number": "max",
            "multi": "max_selected",
            "photo": "max_count",
            "count": "max_count",
            "text": "max_length",
            "long_text": "max_length",
        },
        6,
        "数值题最大值；多选题最多选几项；照片最多几张；缺项数最多几项；文本最多字数。",
    ),
    Column("单位", TEXT, {"number": "unit"}, 6, "数值题的单位，如 人、mg/m³。"),
    Column("整数", BOOL, {"number": "integer"}, 6, "数值题只能填整数。"),
    Column("格式", words("格式", TEXT_FORMATS), {"text": "format"}, 7, "文本题的格式检查。"),
    Column(
        "部分类型",
        words("部分类型", SECTION_KINDS),
        {"section": "kind"},
        8,
        "部分标题行：标准（默认）、扣分（从分值中扣）、加分（加在总分之上）。",
    ),
    Column(
        "封顶",
        NUMBER,
        {"section": "cap"},
        6,
        "部分标题行：加分部分最多加几分；扣分部分最多扣几分。",
    ),
    Column(
        "编号",
        TEXT,
        {"section": "id", "item": "id"},
        18,
        "英文小写编号（字母、数字、-、_），可留空：留空时由部分序号和序号生成，"
        "重复导入同一文件编号不变。",
        ("ID", "id"),
    ),
    Column("部分(英文)", TEXT, {"section": "title@en"}, 20, "部分名称的英文（可选）。"),
    Column("考核内容(英文)", TEXT, {"item": "label@en"}, 30, "考核内容的英文（可选）。"),
    Column(
        "评分标准(英文)",
        TEXT,
        {"section": "note@en", "item": "standard@en"},
        30,
        "评分标准（或部分说明）的英文（可选）。",
    ),
    Column("否决(英文)", TEXT, {"check": "veto.reason@en"}, 20, "否决理由的英文（可选）。"),
    Column("不合格表述(英文)", TEXT, {"check": "finding@en"}, 20, "不合格表述的英文（可选）。"),
    Column("单位(英文)", TEXT, {"number": "unit@en"}, 8, "单位的英文（可选）。"),
)

# The 选项 sheet: one row per option; the rows of one list share its name.
OPTION_COLUMNS: tuple[Column, ...] = (
    Column("选项表", TEXT, {}, 18, "选项表名称，与评分表“选项”列一致。", ("列表", "选项列表")),
    Column(
        "选项编号", TEXT, {"option": "id"}, 12, "选项编号，可留空（按顺序为 1、2、3…）。", ("编号",)
    ),
    Column("选项", TEXT, {"option": "label"}, 30, "选项文字。", ("选项内容",)),
    Column(
        "得分",
        NUMBER,
        {"option": "score"},
        7,
        "选中得的分，负数或“扣2分”为扣分；默认0。",
        ("分值",),
    ),
    Column("否决", TEXT, {"option": "veto"}, 24, "选中即一票否决，填写理由。"),
    Column("选项(英文)", TEXT, {"option": "label@en"}, 24, "选项的英文（可选）。"),
    Column("否决(英文)", TEXT, {"option": "veto@en"}, 20, "否决理由的英文（可选）。"),
)


@dataclass(frozen=True)
class Setting:
    """One row of the 设置 sheet: 设置项 | 值 | 英文."""

    key: str
    path: str  # field of the form; `@en` paths take the 英文 column of the same row
    kind: ValueKind
    help: str
    aliases: tuple[str, ...] = field(default=())


SETTINGS: tuple[Setting, ...] = (
    Setting("表编号", "id", TEXT, "英文小写编号，如 ankang-cup-2026。", ("编号", "ID")),
    Setting("表名", "title", TEXT, "表的名称；英文写在“英文”列。", ("名称", "标题")),
    Setting("版本", "version", INTEGER, "整数；表已被使用后修改须加 1。"),
    Setting("类型", "kind", words("类型", FORM_KINDS), "评分表、检查表、登记卡或报告。"),
    Setting("填表角色", "roles", words("角色", ROLES), "谁填写，多个用“、”分隔。", ("角色",)),
    Setting("依据", "basis", TEXT, "本表依据的文件。"),
    Setting("说明", "description", TEXT, "填表说明（可选）。"),
    Setting(
        "总分", "scoring.max", NUMBER, "各部分（加分部分除外）分值之和；评分表必填。", ("满分",)
    ),
    Setting(
        "不适用项",
        "scoring.not_applicable",
        words("不适用项", NA_POLICIES),
        "按比例折算（默认）：不适用项不计入分母；按满分计：视为满分。",
    ),
    Setting(
        "折算满分",
        "scoring.out_of",
        NUMBER,
        "总分按此满分折算后公布，如千分制的表填 100：873.5分折算为87.35分；"
        "参评条件的总分和等级分数线按折算后的分数。",
        ("折算为", "折合满分"),
    ),
    Setting(
        "部分得分",
        "scoring.round_sections",
        words("部分得分", ROUNDINGS),
        "各部分得分先四舍五入（7.25得7.3），总分为各部分之和。",
        ("部分得分保留", "各部分得分"),
    ),
    Setting(
        "总分保留",
        "scoring.round_total",
        words("总分保留", ROUNDINGS),
        "总分（折算后）四舍五入（84.5得85），参评条件和等级按此分数。",
        ("总分取舍", "总得分保留"),
    ),
)
TEXT_SETTINGS = {"title", "basis", "description"}  # labels: 英文 column is their English
GATE = "参评条件"
GRADE = "等级"
GRADE_GATE = "等级条件"
GRADE_CAP = "最高评为"
SETTINGS_HEADERS = ("设置项", "值", "英文", "名称", "编号")
SETTINGS_COLUMNS = tuple(Column(header, TEXT, {}) for header in SETTINGS_HEADERS)
TOTAL_ROWS = ("合计", "总计", "小计", "总分")  # a clerk's sum row: skipped, not a section
