"""Spreadsheet engine for list templates, imports and exports (pure Python, no Django).

Declare a list's columns once (:class:`TableSpec`), then:

* :func:`write_template` / :func:`export_xlsx` — the Excel template practitioners fill in, or an
  export in the same layout that can be edited and imported again;
* :func:`export_csv` / :func:`iter_csv` — a CSV export with the same formula escaping;
* :func:`read_workbook` — a safe reader that returns typed :class:`Row` dicts and every
  :class:`CellError` at once;
* :func:`annotate` — the user's workbook with the bad cells marked and a "错误清单" sheet;
* :func:`find_duplicates` / :func:`check_references` — common natural-key checks for importers.

The engine never writes to a database; the Django-side importer validates business rules and
saves all rows in one transaction.
"""

from .columns import (
    INDEX_HEADER,
    CellValueError,
    ChoiceSet,
    Column,
    Kind,
    TableSpec,
    column_letter,
    parse_value,
)
from .escaping import escape_formula, unescape_formula
from .package import ReadLimits
from .reader import ReadResult, Row, read_workbook
from .report import (
    ERROR_SHEET,
    CellError,
    annotate,
    check_references,
    find_duplicates,
    format_error,
    format_errors,
)
from .writer import (
    DICTIONARY_SHEET,
    INSTRUCTIONS_SHEET,
    TemplateStyle,
    export_csv,
    export_xlsx,
    iter_csv,
    write_template,
)

__all__ = [
    "DICTIONARY_SHEET",
    "ERROR_SHEET",
    "INDEX_HEADER",
    "INSTRUCTIONS_SHEET",
    "CellError",
    "CellValueError",
    "ChoiceSet",
    "Column",
    "Kind",
    "ReadLimits",
    "ReadResult",
    "Row",
    "TableSpec",
    "TemplateStyle",
    "annotate",
    "check_references",
    "column_letter",
    "escape_formula",
    "export_csv",
    "export_xlsx",
    "find_duplicates",
    "format_error",
    "format_errors",
    "iter_csv",
    "parse_value",
    "read_workbook",
    "unescape_formula",
    "write_template",
]
