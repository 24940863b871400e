"""Regular expressions shared by the parser's stages.

Every pattern is bounded (explicit ``{m,n}`` repeats, no nested quantifiers) so matching stays
linear on hostile input; ``tests/duties`` runs megabyte-sized pathological texts through them.
"""

from __future__ import annotations

import re

from .numerals import CN_NUMERAL_CHARS

CN = CN_NUMERAL_CHARS

# A list item marker: （一） (1) （12）.
PAREN_MARKER = re.compile(rf"[（(]\s*([{CN}]{{1,6}}|\d{{1,3}})\s*[）)]")
# "主要职责是：" — the lead-in of the main duties list.
DUTIES_LEAD_IN = re.compile(r"主要职责(?:是|为|有|如下|包括)?[：:]")
# "设下列内设机构", "设9个内设机构" — the lead-in of the internal units list.
UNITS_INTRO = re.compile(
    rf"(?:设|设置|内设)(?:下列|以下|如下)?(?:[{CN}\d]{{1,4}}个)?"
    r"(?:内设机构|职能科室|科室|处室|股室|司局|机构)"
)
UNITS_LEAD_IN = re.compile(
    rf"(?:设|设置|内设)(?:下列|以下|如下)?(?:[{CN}\d]{{1,4}}个)?"
    r"(?:内设机构|职能科室|科室|处室|股室|司局)[^。：:\n]{0,20}[：:]"
)
# 规格: 正部级 … 副科级, 股级.
RANK = re.compile(r"(?:正|副)(?:部|厅|司局|局|县处|处|县|乡科|科|股)级|股级")
# "…是国务院直属机构" / "…是县人民政府工作部门": the department type after 是.
TYPE_AFTER_SHI = re.compile(
    r"是(?P<type>[^，。；：“”\n]{2,50}?(?:工作部门|组成部门|直属特设机构|直属机构|办事机构|工作机关"
    r"|派出机构|职能部门|管理机构|事业单位|部门|机构|机关|单位))(?=[，。；（(,]|为|$)"
)
# A 分工 clause: "有关职责分工。" or "与市商务局的有关职责分工。".
DIVISION = re.compile(r"(?:有关职责分工|与[^。\n]{1,60}?(?:的)?(?:有关)?职责分工)")
