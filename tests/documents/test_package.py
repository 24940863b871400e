"""Bad uploads are refused before any spreadsheet parser sees them, with a useful Chinese message."""

from __future__ import annotations

import io
import struct
import warnings
import zipfile

import pytest

from qingdan.documents.xlsx import ReadLimits, read_workbook
from qingdan.documents.xlsx.package import (
    MSG_CORRUPT,
    MSG_ENCRYPTED_OR_XLS,
    MSG_LIED,
    OLE_MAGIC,
    Package,
    _needs_full_pass,
    open_package,
    scan_sheet,
)

from .helpers import CHOICES, SPEC, fill, good_row, rewrite_zip


@pytest.fixture(scope="module")
def valid() -> bytes:
    return fill([good_row(1), good_row(2)])


def fatal_message(data: bytes, **limits: int) -> str:
    result = read_workbook(data, SPEC, choices=CHOICES, limits=ReadLimits(**limits))
    assert result.fatal and not result.rows and len(result.errors) == 1
    error = result.errors[0]
    assert (error.sheet, error.row, error.column) == ("", 0, "")  # about the whole file
    return error.message


def test_valid_upload_passes_every_check(valid):
    assert read_workbook(valid, SPEC, choices=CHOICES).ok


def test_empty_file():
    assert fatal_message(b"").startswith("文件为空")


def test_malformed_bytes():
    assert fatal_message(bytes(range(1, 200))) == "无法识别的文件格式，请上传 Excel（.xlsx）文件"


def test_truncated_zip_is_reported_as_incomplete_upload(valid):
    assert fatal_message(valid[: len(valid) // 2]) == MSG_CORRUPT


def test_ole_container_is_an_encrypted_xlsx_or_legacy_xls():
    data = OLE_MAGIC + b"\x00" * 504 + b"EncryptedPackage junk" * 20
    assert fatal_message(data) == MSG_ENCRYPTED_OR_XLS
    assert MSG_ENCRYPTED_OR_XLS == "文件已加密或为旧版 .xls 格式，请另存为未加密的 .xlsx"


def test_csv_and_html_uploads_get_a_save_as_hint():
    assert "CSV" in fatal_message("任务编码,任务名称\r\nGA001,任务一\r\n".encode("gb18030"))
    assert "网页（HTML）" in fatal_message(b"<html><table><tr><td>1</td></tr></table></html>")


def test_other_office_files_are_named():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert fatal_message(out.getvalue()) == "文件是 Word 文档，请上传 Excel（.xlsx）文件"


def test_oversized_file_is_refused_before_reading(valid, tmp_path):
    assert fatal_message(valid, max_file_bytes=1024).startswith("文件大小（")
    path = tmp_path / "big.xlsx"
    path.write_bytes(valid)
    result = read_workbook(path, SPEC, choices=CHOICES, limits=ReadLimits(max_file_bytes=1024))
    assert result.errors[0].message.endswith("超过上限（1 KB），请拆分后分批上传")


def test_zip_bomb_member_with_huge_compression_ratio_is_refused(valid):
    bomb = rewrite_zip(valid, {"xl/media/image1.bin": b"\x00" * (8 * 1024 * 1024)})
    message = fatal_message(bomb)
    assert "压缩比异常" in message and "疑似压缩炸弹" in message


def test_total_uncompressed_size_cap(valid):
    assert "文件解压后过大" in fatal_message(valid, max_uncompressed_bytes=10_000)


def test_too_many_members_is_refused_from_the_zip_directory(valid):
    extra = {f"xl/media/pad{i}.bin": b"x" for i in range(30)}
    assert "包含" in fatal_message(rewrite_zip(valid, extra), max_members=20)


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Make the zip directory lie about a member's uncompressed size."""
    buffer = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<L", buffer, info.header_offset + 22, size)  # local file header
    central = data.find(b"PK\x01\x02")
    while central >= 0:  # central directory entries
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name.encode():
            struct.pack_into("<L", buffer, central + 24, size)
            return bytes(buffer)
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError(name)


def test_member_that_lies_about_its_size_is_caught_while_decompressing(valid):
    bomb = rewrite_zip(valid, {"xl/media/image1.bin": b"\x00" * (4 * 1024 * 1024)})
    lying = _patch_declared_size(bomb, "xl/media/image1.bin", 1000)
    assert fatal_message(lying) == MSG_LIED


def test_duplicate_member_names_are_refused(valid):
    out = io.BytesIO(valid)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we add on purpose
        with zipfile.ZipFile(out, "a") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    assert "部件重名" in fatal_message(out.getvalue())


def test_doctype_in_sheet_xml_is_refused(valid):
    def add_doctype(xml: bytes) -> bytes:
        return xml.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1)

    unsafe = rewrite_zip(valid, {"xl/worksheets/sheet1.xml": add_doctype})
    assert "DOCTYPE" in fatal_message(unsafe)


# -- the structural pass on hand-written sheet XML ----------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _package_with_sheet(sheet_xml: str) -> Package:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.'
            'org/officeDocument/2006/relationships/officeDocument"/></Relationships>',
        )
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{_MAIN}"/>')
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return open_package(out.getvalue(), ReadLimits())


def test_byte_scan_ignores_hidden_columns_validation_formulas_and_rich_text_runs():
    sheet = (
        f'<worksheet xmlns="{_MAIN}"><cols><col min="11" max="11" hidden="1"/></cols>'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><r><rPr><family val="2"/></rPr>'
        "<t>x</t></r></is></c></row></sheetData>"
        "<dataValidations><dataValidation><formula1>qd_lead</formula1></dataValidation>"
        "</dataValidations></worksheet>"
    )
    scan = scan_sheet(_package_with_sheet(sheet), "xl/worksheets/sheet1.xml")
    assert not scan.full_pass


def test_full_pass_handles_namespace_prefixes_and_missing_cell_references():
    sheet = (
        f'<x:worksheet xmlns:x="{_MAIN}"><x:sheetData>'
        '<x:row r="2"><x:c><x:v>1</x:v></x:c><x:c><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
        '<x:row hidden="true"><x:c r="C3"><x:v>3</x:v></x:c></x:row>'
        '<x:row><x:c r="D4"><x:f t="shared" si="0"/><x:v>4</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    scan = scan_sheet(_package_with_sheet(sheet), "xl/worksheets/sheet1.xml")
    assert scan.full_pass
    assert scan.formulas == [(1, 1), (3, 3)]
    assert scan.hidden_rows == [2]


def test_byte_scan_finds_candidates_split_across_chunks():
    prefix = b"<worksheet><sheetData>" + b" " * 100
    chunks = [prefix + b"<row><c><", b"f>1</f></c></row></sheetData></worksheet>"]
    assert _needs_full_pass(iter(chunks))
    assert not _needs_full_pass(iter([prefix + b"</sheetData><x><f>1</f></x>"]))
