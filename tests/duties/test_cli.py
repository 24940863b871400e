"""``qingdan sanding parse FILE [--json]``: the exact JSON shape, real samples, Chinese errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.duties.helpers import SANDING_TEXT

SAMPLES = Path("/work/shared/samples")
SAMPLE_FILES = sorted(SAMPLES.glob("sanding_*.txt")) if SAMPLES.is_dir() else []


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sanding", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def check_shape(data: dict) -> None:
    assert set(data) == {
        "title",
        "main_duties",
        "units",
        "staffing",
        "leadership_posts",
        "unparsed",
    }
    assert data["title"] is None or isinstance(data["title"], str)
    assert all(isinstance(d, str) for d in data["main_duties"])
    for unit in data["units"]:
        assert set(unit) == {"name", "duties"}
        assert isinstance(unit["name"], str)
        assert all(isinstance(d, str) for d in unit["duties"])
    assert set(data["staffing"]) == {"administrative", "public_institution", "logistics"}
    for value in data["staffing"].values():
        assert value is None or (isinstance(value, int) and not isinstance(value, bool))
    for post in data["leadership_posts"]:
        assert set(post) == {"title", "count"}
        assert isinstance(post["title"], str) and isinstance(post["count"], int)
    assert all(isinstance(u, str) for u in data["unparsed"])


@pytest.fixture
def sanding_file(tmp_path: Path) -> Path:
    path = tmp_path / "东川市教育局三定.txt"
    path.write_text(SANDING_TEXT, encoding="utf-8")
    return path


def test_json_shape_and_content(sanding_file: Path) -> None:
    out, _ = run("parse", str(sanding_file), "--json")
    data = json.loads(out)
    check_shape(data)
    assert data["title"] == "东川市教育局职能配置、内设机构和人员编制规定"
    assert len(data["main_duties"]) == 3
    assert [u["name"] for u in data["units"]] == ["办公室", "基础教育科", "教育督导科"]
    assert data["staffing"] == {"administrative": 12, "public_institution": None, "logistics": None}
    assert data["leadership_posts"] == [
        {"title": "局长", "count": 1},
        {"title": "副局长", "count": 3},
        {"title": "科级领导职数", "count": 6},
    ]
    assert data["unparsed"] == []


def test_gbk_and_docx_files(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(SANDING_TEXT.encode("gb18030"))
    assert len(json.loads(run("parse", str(gbk), "--json")[0])["main_duties"]) == 3
    document = docx.Document()
    for line in SANDING_TEXT.splitlines():
        document.add_paragraph(line)
    path = tmp_path / "sanding.docx"
    document.save(path)
    assert json.loads(run("parse", str(path), "--json")[0])["staffing"]["administrative"] == 12


def test_human_summary(sanding_file: Path) -> None:
    out, _ = run("parse", str(sanding_file))
    assert "主要职责：3项" in out
    assert "行政编制12名" in out
    assert "副局长3名" in out


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_real_samples_give_the_documented_shape(sample: Path) -> None:
    data = json.loads(run("parse", str(sample), "--json")[0])
    check_shape(data)
    assert data["main_duties"] or data["units"] or any(data["staffing"].values())


@pytest.mark.skipif(not SAMPLE_FILES, reason="/work/shared/samples is not available")
def test_known_figures_of_the_samples() -> None:
    by_name = {p.name: json.loads(run("parse", str(p), "--json")[0]) for p in SAMPLE_FILES}
    samr = next(v for k, v in by_name.items() if "shichang" in k)
    assert samr["staffing"]["administrative"] == 805
    office = next(v for k, v in by_name.items() if "bangongting" in k)
    assert office["staffing"]["administrative"] == 519  # not the historical 219


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("missing.txt", None, "文件不存在"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是文本文件"),
        ("broken.docx", b"PK\x03\x04not a zip", "Word"),
        ("empty.txt", b"", "内容为空"),
    ],
)
def test_unreadable_files_fail_in_chinese(
    tmp_path: Path, name: str, content: bytes | None, fragment: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=fragment):
        run("parse", str(path), "--json")


def test_console_entry_point_exits_non_zero(tmp_path: Path) -> None:
    script = "from qingdan.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", script, "sanding", "parse", str(tmp_path / "nope.txt"), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "文件不存在" in result.stderr
