"""The compilation's pure parts: file names, the manifest, the combined volumes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path

from docx import Document
from pypdf import PdfReader

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
    data = build.render_volume_docx(handbooks(), TITLE, "东川市", DAY)
    paragraphs = Document(io.BytesIO(data)).paragraphs
    departments = [p.text.strip() for p in paragraphs if p.style.name == "目录1"]
    assert departments == [name for name, _ in NAMES]
    parts = [p.text for p in paragraphs if p.style.name == "汇编部门标题"]
    assert parts == [name for name, _ in NAMES]


def pdf_text(path: Path, first: int, last: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()


def test_pdf_volume_is_merged_from_the_department_pdfs(tmp_path: Path) -> None:
    parts = []
    for hb in handbooks():
        path = tmp_path / f"{hb.cover.department}.pdf"
        path.write_bytes(build.render_handbook(hb, "pdf"))
        parts.append((hb.cover.department, str(path)))
    sizes = [len(PdfReader(path).pages) for _, path in parts]
    out = tmp_path / "volume.pdf"
    pages = build.volume_pdf(parts, str(out), TITLE, "东川市", DAY)

    volume = PdfReader(out)
    assert pages == len(volume.pages) == 1 + 1 + sum(sizes)  # cover, contents, departments
    cover = pdf_text(out, 1, 1)
    assert TITLE in cover and "（共3个部门）" in cover and "2026年3月" in cover
    # The contents: every department in order, with its first page in the volume.
    firsts = [3, 3 + sizes[0], 3 + sizes[0] + sizes[1]]
    lines = [line.strip() for line in pdf_text(out, 2, 2).splitlines() if line.strip()]
    assert lines[0].replace(" ", "").replace("\u3000", "") == "目录"
    names = [name for name, _ in NAMES]
    contents = [re.fullmatch(r"(\S+) \.+ (\d+)", line) for line in lines[1:]]
    assert [(m[1], int(m[2])) for m in contents if m] == list(zip(names, firsts, strict=True))
    for name, first in zip(names, firsts, strict=True):
        assert name in pdf_text(out, first, first)  # each department starts with its cover
    # One bookmark per department, at its first page, holding its own chapters.
    top = [item for item in volume.outline if not isinstance(item, list)]
    assert [item.title for item in top] == names
    assert [volume.get_destination_page_number(item) + 1 for item in top] == firsts
    assert isinstance(volume.outline[1], list) and volume.outline[1][0].title.startswith("一、")
    # The contents lines link to the departments.
    links = [a.get_object() for a in volume.pages[1]["/Annots"]]
    targets = [volume.get_page_number(a["/Dest"][0].get_object()) + 1 for a in links]
    assert targets == firsts


def test_contents_run_over_pages_for_many_departments() -> None:
    assert build.toc_page_count(1) == build.toc_page_count(20) == 1
    assert build.toc_page_count(21) == build.toc_page_count(42) == 2
    assert build.toc_page_count(43) == 3
    firsts = list(range(10, 10 + 43))
    data = build.front_matter(TITLE, "东川市", DAY, [f"部门{i}" for i in range(43)], firsts)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1 + 3
    text = "".join(page.extract_text() for page in reader.pages[1:])
    assert "部门0" in text and "部门42" in text and "52" in text


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


def test_pdf_volume_takes_the_departments_in_any_order(tmp_path: Path) -> None:
    """The compilation merges each department as its PDF arrives, in whatever order the
    workers finish: the volume follows the positions, as if merged in order."""
    parts = []
    for hb in handbooks():
        path = tmp_path / f"{hb.cover.department}.pdf"
        path.write_bytes(build.render_handbook(hb, "pdf"))
        parts.append((hb.cover.department, str(path)))
    in_order = tmp_path / "in-order.pdf"
    build.volume_pdf(parts, str(in_order), TITLE, "东川市", DAY)
    shuffled = tmp_path / "shuffled.pdf"
    with build.PdfVolume() as volume:
        for position in (2, 0, 1):
            volume.add(position * 10, *parts[position])
        assert len(volume) == 3
        pages = volume.save(str(shuffled), TITLE, "东川市", DAY)

    a, b = PdfReader(in_order), PdfReader(shuffled)
    assert pages == len(a.pages) == len(b.pages)
    assert [p.extract_text() for p in a.pages] == [p.extract_text() for p in b.pages]
    assert [i.title for i in b.outline if not isinstance(i, list)] == [n for n, _ in NAMES]
    # Each department's own contents links still lead into its own pages.
    first = b.get_destination_page_number(b.outline[2]) + 1  # the second department
    own = [a.get_object() for a in b.pages[first + 1]["/Annots"]]
    assert own and all(
        first <= b.get_page_number(a["/Dest"][0].get_object()) < first + 40 for a in own
    )
    assert b.metadata.title == TITLE


def test_department_pdf_streams_are_binary_not_ascii85() -> None:
    data = build.render_handbook(handbooks()[0], "pdf")
    assert b"/FlateDecode" in data
    assert b"ASCII85Decode" not in data


def test_typeset_department_builds_once_writes_each_format_and_keeps_going(
    tmp_path: Path, monkeypatch
) -> None:
    inp = sample_input(tasks=2, name="东川市教育局", code="A01")
    made = build.typeset_department(inp, build.FORMATS, str(tmp_path), 7)
    assert made.errors == {}
    assert made.files == {fmt: str(tmp_path / f"0007.{fmt}") for fmt in build.FORMATS}
    assert "东川市教育局" in docx_text(Path(made.files["docx"]).read_bytes())
    assert Path(made.files["pdf"]).read_bytes().startswith(b"%PDF")

    # One format failing does not lose the other.
    real = build.render_handbook

    def render(handbook, fmt):
        if fmt == "docx":
            raise ValueError("模板损坏")
        return real(handbook, fmt)

    monkeypatch.setattr(build, "render_handbook", render)
    made = build.typeset_department(inp, build.FORMATS, str(tmp_path), 8)
    assert made.errors == {"docx": "模板损坏"}
    assert list(made.files) == ["pdf"]

    # Content that cannot be built fails every format, with the reason.
    broken = dataclasses.replace(inp, tasks=(None,))
    made = build.typeset_department(broken, build.FORMATS, str(tmp_path), 9)
    assert made.files == {}
    assert set(made.errors) == set(build.FORMATS)
    assert all(text.startswith("程序错误（AttributeError") for text in made.errors.values())
