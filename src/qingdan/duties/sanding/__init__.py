"""三定 regulation parser: pure Python, no Django.

``parse_sanding(text)`` turns the text of a 职能配置、内设机构和人员编制规定 (2008 section form or
2018+ article form, simplified or traditional, whole or cut off) into a :class:`SandingDocument`
whose every item keeps the span of the original text it came from, and whose ``unparsed`` lists
whatever could not be read.
"""

from .model import (
    FORM_2008,
    FORM_2018,
    FORM_UNKNOWN,
    CountItem,
    Nature,
    ParseWarning,
    SandingDocument,
    Span,
    Staffing,
    TextItem,
    Unit,
    UnparsedItem,
)
from .normalize import normalize_text
from .numerals import parse_number
from .parser import MAX_INPUT_CHARS, parse_sanding

__all__ = [
    "FORM_2008",
    "FORM_2018",
    "FORM_UNKNOWN",
    "MAX_INPUT_CHARS",
    "CountItem",
    "Nature",
    "ParseWarning",
    "SandingDocument",
    "Span",
    "Staffing",
    "TextItem",
    "Unit",
    "UnparsedItem",
    "normalize_text",
    "parse_number",
    "parse_sanding",
]
