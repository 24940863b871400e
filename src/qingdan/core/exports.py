"""Export of any gated, filtered back-office list to Excel: columns declared once per list.

Every text cell goes through the spreadsheet engine's formula escaping (OWASP CSV injection).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.db import models

from qingdan.documents.xlsx import escape_formula


@dataclass(frozen=True)
class Column:
    header: str
    value: str | Callable[[Any], Any]
    width: int = 16

    def read(self, obj: Any) -> Any:
        if callable(self.value):
            return self.value(obj)
        target: Any = obj
        for part in self.value.split("."):
            if target is None:
                return None
            display = getattr(target, f"get_{part}_display", None)
            target = display() if display is not None else getattr(target, part)
        return target


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, models.Model):
        return str(value)
    text = str(value) if not hasattr(value, "isoformat") else value.isoformat()
    return escape_formula(text)  # the one escaping rule, shared with list templates


def export_workbook(columns: Iterable[Column], rows: Iterable[Any], *, sheet: str) -> bytes:
    columns = list(columns)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "font_name": "宋体"})
    body = book.add_format({"font_name": "宋体"})
    ws.write_row(0, 0, ["序号", *[c.header for c in columns]], head)
    ws.set_column(0, 0, 6)
    for i, c in enumerate(columns, start=1):
        ws.set_column(i, i, c.width)
    iterator = rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") else rows
    for n, obj in enumerate(iterator, start=1):
        ws.write_number(n, 0, n, body)
        for i, c in enumerate(columns, start=1):
            value = _plain(c.read(obj))
            if isinstance(value, str):
                ws.write_string(n, i, value, body)
            else:
                ws.write(n, i, value, body)
    ws.freeze_panes(1, 1)
    book.close()
    return buffer.getvalue()
