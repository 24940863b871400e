"""The compilation's pure parts: file names, the manifest, the combined volume's contents."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile

from docx import Document

from qingdan.documents.compilation import build
from qingdan.documents.handbook.content import build as build_content
from qingdan.documents.handbook.sample import sample_input

TITLE = "东川市部门管理手册（履职清单）汇编"
DAY = dt.date(2026, 3, 2)
NAMES = (("东川市教育局", "A01"), ("东川市卫生健康委员会", "A02"), ("河西区民政局", "B01"))


def handbooks() -> list:
    return [build_content(sample_input(tasks=2, name=n, code=c)) for n, c in NAMES]


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_file_names_keep_chinese_and_drop_path_separators() -> None:
    assert build.safe_name("东川市/教育局:*?") == "东川市_教育局"
    assert build.safe_name("  ..  ") == "未命名"
    entry = build.Entry(3, "东川市教育局", "东川市", 2, DAY, "ab" * 32)
    assert entry.stem == "03_东川市教育局（第2版）"


def test_manifest_lists_every_department_with_its_hash_and_every_error() -> None:
    entries = [build.Entry(1, "东川市教育局", "东川市", 1, DAY, "f" * 64)]
    text = build.manifest(
        TITLE, DAY, entries, ("docx", "pdf"), ["河西区民政局（第1版）：PDF排版失败"]
    )
    assert "汇编日期：2026年3月2日" in text
    assert "收录部门：1个" in text
    assert "东川市教育局\t东川市\t第1版\t2026年3月2日\t" + "f" * 64 in text
    assert "未能收录或排版出错（1处）" in text
    assert "1. 河西区民政局（第1版）：PDF排版失败" in text


def test_word_volume_has_one_contents_listing_every_department() -> None:
    data = build.render_volume(handbooks(), "docx", TITLE, "东川市", DAY)
    paragraphs = Document(io.BytesIO(data)).paragraphs
    departments = [p.text.strip() for p in paragraphs if p.style.name == "目录1"]
    assert departments == [name for name, _ in NAMES]
    parts = [p.text for p in paragraphs if p.style.name == "汇编部门标题"]
    assert parts == [name for name, _ in NAMES]


def test_pdf_volume_contents_list_every_department_in_order() -> None:
    data = build.render_volume(handbooks(), "pdf", TITLE, "东川市", DAY)
    text = subprocess.run(
        ["pdftotext", "-l", "6", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    contents = text[text.index("目") :]
    positions = [contents.index(name) for name, _ in NAMES]
    assert positions == sorted(positions)
    assert "（共3个部门）" in text


def test_department_files_in_both_formats() -> None:
    hb = handbooks()[0]
    files = build.render_department(hb, build.FORMATS)
    assert zipfile.is_zipfile(io.BytesIO(files["docx"]))
    assert "东川市教育局" in docx_text(files["docx"])
    assert files["pdf"].startswith(b"%PDF")


def test_unknown_format_and_program_errors_are_reported_in_chinese() -> None:
    try:
        build.render_handbook(handbooks()[0], "odt")
    except ValueError as exc:
        assert build.failure_text(exc) == "不支持的格式：odt"
    message = build.failure_text(AttributeError("'NoneType' object has no attribute 'heading'"))
    assert message.startswith("程序错误（AttributeError")
    assert message.endswith("请联系管理员")
    from concurrent.futures.process import BrokenProcessPool

    assert "异常退出（可能内存不足）" in build.failure_text(BrokenProcessPool("killed"))


def test_plain_text_baseline_holds_every_department() -> None:
    text = build.plain_text(handbooks()).decode()
    for name, _ in NAMES:
        assert name in text
