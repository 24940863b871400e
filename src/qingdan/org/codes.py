"""Official code formats: GB/T 2260 region codes and GB 32100 unified social credit codes.

Pure functions (no Django), used by validators, importers and the demo generator.
"""

from __future__ import annotations

import re

_REGION_RE = re.compile(r"^\d{6}(\d{3})?$")

# GB 32100-2015: 31 characters (no I, O, S, V, Z) and the weights of positions 1–17.
CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# GB 11714 organisation code (positions 9–17 of the credit code): 8 characters and a check.
_ORG_CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def region_code_problem(code: str, level: str) -> str | None:
    """Why ``code`` is not a valid code for a region of ``level``; None when it is.

    Province, city and county codes have six digits (GB/T 2260); towns add three (GB/T 10114).
    """
    if not _REGION_RE.match(code or ""):
        return "区划代码应为6位数字（乡镇为9位数字）"
    if level == "town":
        if len(code) != 9:
            return "乡镇级区划代码应为9位数字"
        return None
    if len(code) != 6:
        return "省、市、县级区划代码应为6位数字"
    if code[:2] == "00":
        return "区划代码前两位（省级代码）不能为00"
    if level == "province" and code[2:] != "0000":
        return "省级区划代码后四位应为0000"
    if level == "city" and (code[2:4] == "00" or code[4:] != "00"):
        return "市级区划代码第3–4位不能为00且后两位应为00"
    if level == "county" and code[4:] == "00":
        return "县级区划代码后两位不能为00"
    return None


def region_prefix(code: str, level: str) -> str:
    """The significant prefix that every descendant's code must start with."""
    return {"province": code[:2], "city": code[:4], "county": code[:6]}.get(level, code)


def _credit_check_char(body17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(body17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def _org_check_char(body8: str) -> str:
    total = sum(_ORG_CHARSET.index(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码; None when it is."""
    if len(code or "") != 18:
        return "统一社会信用代码应为18位"
    if not _CREDIT_RE.match(code):
        return "统一社会信用代码含有非法字符（只能是数字和除I、O、S、V、Z外的大写字母）"
    if _credit_check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位错误"
    org = code[8:17]
    if all(c in _ORG_CHARSET for c in org[:8]) and _org_check_char(org[:8]) != org[8]:
        return "统一社会信用代码中的组织机构代码校验位错误"
    return None


def make_credit_code(authority: str, kind: str, region: str, org_body8: str) -> str:
    """Build a valid credit code (for the synthetic region): e.g. 机构编制 '1', 机关 '1'."""
    org = org_body8 + _org_check_char(org_body8)
    body = f"{authority}{kind}{region}{org}"
    return body + _credit_check_char(body)
