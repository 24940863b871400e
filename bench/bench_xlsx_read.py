"""Read a 30,000-row × 15-column list with our reader vs bare python-calamine.

Writes the workbook with qingdan's own writer (the layout users get as a template/export), then
times, best of several runs:

* bare python-calamine: open + ``to_python()`` of the sheet;
* qingdan ``read_workbook``: size/zip-bomb checks, bounded decompression, structural pass
  (formulas, hidden rows, merges), header matching and per-cell parsing into typed rows;
* each of the above plus an ``executemany`` insert into in-memory SQLite, the budget the import of
  the 履职清单 is held to (within ~3× of calamine + insert).

Run: ``PYTHONPATH=src python bench/bench_xlsx_read.py [rows]``
"""

from __future__ import annotations

import datetime as dt
import io
import platform
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import python_calamine

from qingdan.documents.xlsx import Column, Kind, TableSpec, export_xlsx, read_workbook

UNITS = [f"第{i}业务科" for i in range(1, 41)]
POSITIONS = [
    f"{unit}{kind}岗" for unit in UNITS for kind in ("综合", "审批", "执法", "监管", "服务")
]

SPEC = TableSpec(
    sheet_name="履职清单",
    title="某市某局履职清单",
    columns=(
        Column("code", "任务编码", required=True, max_length=30, unique=True),
        Column("duty", "职责事项", required=True, max_length=500),
        Column("name", "具体工作任务", required=True, max_length=500),
        Column("lead_unit", "承办科室", Kind.CHOICE, required=True),
        Column("assist_units", "协办科室", Kind.CHOICE, multiple=True),
        Column("lead_position", "主办岗位", Kind.CHOICE, group="承办岗位", required=True),
        Column("assist_position", "协办岗位", Kind.CHOICE, group="承办岗位"),
        Column("frequency", "年频次", Kind.INT, min_value=0),
        Column("effort", "单次工时", Kind.DECIMAL, decimal_places=2, min_value=0),
        Column("time_limit", "办理时限", max_length=100),
        Column("due", "完成日期", Kind.DATE),
        Column("key_task", "重点任务", Kind.BOOL),
        Column("basis", "法律依据", max_length=2000),
        Column("standard", "工作规范", max_length=2000),
        Column("id", "系统编号", Kind.INT, hidden=True),
    ),
)
CHOICES = {
    "lead_unit": UNITS,
    "assist_units": UNITS,
    "lead_position": POSITIONS,
    "assist_position": POSITIONS,
}


def make_rows(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    text = "负责贯彻执行国家和省有关法律法规和方针政策，拟订本地区相关规划、计划并组织实施，做好监督检查工作"
    rows = []
    for i in range(count):
        rows.append(
            {
                "code": f"ZR{i // 100:03d}-RW{i:05d}",
                "duty": text[: rng.randint(12, 40)],
                "name": text[rng.randint(0, 10) : rng.randint(20, 48)],
                "lead_unit": rng.choice(UNITS),
                "assist_units": tuple(rng.sample(UNITS, rng.randint(0, 2))),
                "lead_position": rng.choice(POSITIONS),
                "assist_position": rng.choice(POSITIONS),
                "frequency": rng.randint(1, 365),
                "effort": Decimal(rng.randint(1, 4000)) / 100,
                "time_limit": f"{rng.randint(1, 30)}个工作日",
                "due": dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700)),
                "key_task": rng.random() < 0.2,
                "basis": "《中华人民共和国行政许可法》第" + str(rng.randint(1, 80)) + "条",
                "standard": text[: rng.randint(10, 30)],
                "id": 100000 + i,
            }
        )
    return rows


def interleaved(
    runs: int, first: Callable[[], Any], second: Callable[[], Any]
) -> tuple[float, float]:
    """Best time of each, alternating the two so that both see the same machine load."""
    best = [float("inf"), float("inf")]
    for _ in range(runs):
        for index, function in enumerate((first, second)):
            start = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - start)
    return best[0], best[1]


def bare_calamine(data: bytes) -> list[list[Any]]:
    workbook = python_calamine.CalamineWorkbook.from_object(io.BytesIO(data))
    return workbook.get_sheet_by_name(SPEC.sheet_name).to_python()


def insert(rows: list[tuple[Any, ...]]) -> None:
    connection = sqlite3.connect(":memory:")
    width = len(rows[0])
    columns = ", ".join(f"c{i}" for i in range(width))
    connection.execute(f"CREATE TABLE task ({columns})")
    with connection:
        connection.executemany(f"INSERT INTO task VALUES ({', '.join('?' * width)})", rows)
    connection.close()


def calamine_and_insert(data: bytes) -> None:
    values = bare_calamine(data)
    insert([tuple(str(v) for v in row) for row in values[3:]])


def reader_and_insert(data: bytes) -> None:
    result = read_workbook(data, SPEC, choices=CHOICES)
    keys = [c.key for c in SPEC.columns]
    insert(
        [
            tuple(str(v) if not isinstance(v, int | str) else v for v in (row[k] for k in keys))
            for row in result.rows
        ]
    )


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    runs = 5
    start = time.perf_counter()
    data = export_xlsx(SPEC, make_rows(count), choices=CHOICES)
    assert data is not None
    written = time.perf_counter() - start
    print(
        f"python {platform.python_version()} on {platform.machine()} ({platform.processor() or '?'})"
    )
    print(
        f"wrote {count} rows x {len(SPEC.columns)} columns: {len(data) / 1e6:.1f} MB in {written:.2f} s"
    )

    # XlsxWriter streams text as inline strings; Excel and WPS save shared strings. Time both.
    resaved = io.BytesIO()
    openpyxl.load_workbook(io.BytesIO(data)).save(resaved)
    for label, payload in (("as written", data), ("re-saved, shared strings", resaved.getvalue())):
        result = read_workbook(payload, SPEC, choices=CHOICES)
        assert result.ok and len(result.rows) == count, result.errors[:5]
        bare, ours = interleaved(
            runs,
            lambda p=payload: bare_calamine(p),
            lambda p=payload: read_workbook(p, SPEC, choices=CHOICES),
        )
        bare_db, ours_db = interleaved(
            runs, lambda p=payload: calamine_and_insert(p), lambda p=payload: reader_and_insert(p)
        )
        print(f"-- {label}")
        print(f"bare python-calamine       : {bare:.3f} s")
        print(f"qingdan read_workbook      : {ours:.3f} s   ratio {ours / bare:.2f}x")
        print(f"calamine + executemany     : {bare_db:.3f} s")
        print(
            f"read_workbook + executemany: {ours_db:.3f} s   ratio {ours_db / bare_db:.2f}x"
            " (budget ~3x)"
        )


if __name__ == "__main__":
    main()
