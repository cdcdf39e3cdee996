"""XLSForm question types and how each maps to the language (or why it does not)."""

from __future__ import annotations

import re

SELECT = re.compile(
    r"^(select_one|select_multiple|select one from|select all that apply from)\s+(\S+)"
    r"(\s+or_other|\s+or specify other)?$"
)
TYPE_ALIASES = {
    "string": "text",
    "int": "integer",
    "phone number": "text",
    "photo": "image",
    "picture": "image",
    "gps": "geopoint",
    "location": "geopoint",
    "begin_group": "begin group",
    "end_group": "end group",
    "begin_repeat": "begin repeat",
    "end_repeat": "end repeat",
}
METADATA = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "email", "audit", "start-geopoint",
}  # fmt: skip
UNMAPPED = {
    "calculate": "不支持计算字段",
    "time": "不支持时间题（只支持日期）",
    "datetime": "不支持日期时间题（只支持日期）",
    "barcode": "不支持条码题",
    "audio": "不支持音频（只支持照片）",
    "background-audio": "不支持音频（只支持照片）",
    "video": "不支持视频（只支持照片）",
    "file": "不支持文件上传（只支持照片）",
    "geotrace": "不支持线和面（只支持定位点）",
    "geoshape": "不支持线和面（只支持定位点）",
    "acknowledge": "不支持确认题",
    "hidden": "不支持隐藏字段",
    "xml-external": "不支持外部数据",
    "csv-external": "不支持外部数据",
    "rank": "不支持排序题",
    "trigger": "不支持触发题",
    "include": "不支持引用其他表单",
    "select_one_from_file": "不支持外部选项文件",
    "select_multiple_from_file": "不支持外部选项文件",
    "select_one_external": "不支持外部选项",
    "select one external": "不支持外部选项",
    "osm": "不支持 OpenStreetMap 题",
}
# Columns whose meaning the language has no place for, and why.
UNMAPPED_COLUMNS = {
    "default": "不支持默认值",
    "choice_filter": "不支持选项筛选",
    "calculation": "不支持计算",
    "trigger": "不支持触发",
}
YES_NO_PAIRS = ({"yes", "no"}, {"y", "n"}, {"true", "false"}, {"1", "0"})
OTHER = {"id": "other", "label": {"zh": "其他", "en": "Other"}}
GENERAL_TITLE = {"zh": "一般问题", "en": "General questions"}


def joined(labels: list[object], separator: str = " / ") -> object:
    zh = separator.join(label["zh"] if isinstance(label, dict) else str(label) for label in labels)
    if not any(isinstance(label, dict) for label in labels):
        return zh
    en = separator.join(label["en"] if isinstance(label, dict) else str(label) for label in labels)
    return {"zh": zh, "en": en}


def range_parameters(text: str) -> dict | None:
    """ODK's range parameters (`start=0 end=10 step=1`; defaults 1, 10, 1) as min / max."""
    values = {"start": 1.0, "end": 10.0, "step": 1.0}
    for part in re.split(r"[\s;,]+", text.strip()):
        if not part:
            continue
        key, sep, value = part.partition("=")
        try:
            if not sep or key.strip().lower() not in values:
                return None
            values[key.strip().lower()] = float(value)
        except ValueError:
            return None
    low, high = sorted((values["start"], values["end"]))
    fields: dict = {"min": int(low) if low.is_integer() else low}
    fields["max"] = int(high) if high.is_integer() else high
    if all(v.is_integer() for v in values.values()):
        fields["integer"] = True
    return fields
