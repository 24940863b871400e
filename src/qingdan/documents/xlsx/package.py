"""Safe opening of an uploaded .xlsx package, before any spreadsheet parser sees it.

Order of checks, cheapest first, nothing decompressed until the zip directory has passed:

1. size cap on the raw upload;
2. magic bytes: an OLE container (legacy .xls, or an *encrypted* .xlsx, which Office stores in
   OLE), PDF, HTML/XML "xls" exports and CSV/text get a message telling the user what to do;
3. zip directory (``zipfile.infolist``): member count (read from the end-of-central-directory
   record first, so a directory of a million entries is never built), duplicate names, encryption,
   compression method, total declared uncompressed size and per-member compression ratio;
4. every member is then decompressed by our own bounded loop that stops as soon as it produces more
   bytes than the member declares, because a zip bomb can simply lie in the directory. Only after
   that does python-calamine open the package.

The structural pass over the data sheet (:func:`scan_sheet`) looks for what python-calamine does
not tell us: formula cells (it returns their cached value) and hidden rows. A byte scan of the
decompressed XML first proves, in C speed, that ``<sheetData>`` contains no formula tag and no
``hidden`` attribute; only when it finds a candidate does the lxml pull parser walk the rows.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from .columns import column_index

MIB = 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EOCD_MAGIC = b"PK\x05\x06"
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_RATIO_MIN_BYTES = MIB  # small parts may compress absurdly well without being dangerous
_META_MAX_BYTES = 16 * MIB  # workbook.xml and .rels parts we parse into memory
_OUT_CHUNK = MIB
_IN_CHUNK = 256 * 1024
_REL_NS_SUFFIX = "}id"

MSG_CORRUPT = "文件已损坏或不完整（可能上传中断），请在 Excel 中打开并重新保存后上传"
MSG_ENCRYPTED_OR_XLS = "文件已加密或为旧版 .xls 格式，请另存为未加密的 .xlsx"
MSG_LIED = "文件内部部件的实际大小与声明不符，疑似恶意文件，已拒绝"
MSG_UNSAFE_XML = "文件含不安全的 XML 声明（DOCTYPE），请在 Excel 中另存为 .xlsx 后重新上传"


def _safe_parser() -> etree.XMLParser:
    """libxml2 must never fetch anything or expand entities: the XML comes from untrusted users.

    A new parser per call because lxml parser objects must not be shared between threads.
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class PackageError(Exception):
    """The upload cannot be used at all; ``message`` is the Chinese text for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ReadLimits:
    """Caps applied to every upload (defaults suit a 100,000-row list)."""

    max_file_bytes: int = 20 * MIB
    max_uncompressed_bytes: int = 256 * MIB
    max_compression_ratio: int = 200
    max_members: int = 1000
    max_rows: int = 100_000
    max_errors: int = 10_000
    header_search_rows: int = 10


@dataclass(frozen=True)
class SheetInfo:
    """A sheet listed in workbook.xml: its name, zip part and visibility state."""

    name: str
    part: str
    state: str = "visible"


@dataclass(frozen=True)
class WorkbookInfo:
    """What we need from workbook.xml: the sheets and the date system."""

    sheets: tuple[SheetInfo, ...]
    date1904: bool = False

    def find(self, name: str) -> SheetInfo | None:
        """The sheet called ``name``, tolerating surrounding spaces."""
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        wanted = name.strip()
        for sheet in self.sheets:
            if sheet.name.strip() == wanted:
                return sheet
        return None


@dataclass
class SheetScan:
    """Findings of the structural pass, as 0-based (row, column) indexes like python-calamine's."""

    formulas: list[tuple[int, int]] = field(default_factory=list)
    hidden_rows: list[int] = field(default_factory=list)
    full_pass: bool = False


def load_source(
    source: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO, max_bytes: int
) -> bytes:
    """Read an upload into memory, refusing it before reading when it is over ``max_bytes``."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        size = Path(source).stat().st_size
        if size > max_bytes:
            raise PackageError(_too_big(size, max_bytes))
        data = Path(source).read_bytes()
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PackageError(_too_big(len(data), max_bytes))
    return data


def size_text(size: int) -> str:
    """Human size in the units users see in their file manager (KB below 1 MB)."""
    if size >= MIB:
        return f"{size / MIB:.1f}".removesuffix(".0") + " MB"
    return f"{max(size / 1024, 0.1):.1f}".removesuffix(".0") + " KB"


def _too_big(size: int, limit: int) -> str:
    return f"文件大小（{size_text(size)}）超过上限（{size_text(limit)}），请拆分后分批上传"


def sniff(data: bytes) -> None:
    """Refuse anything that is not a zip container, saying what it looks like instead."""
    if not data:
        raise PackageError("文件为空（0 字节），请选择填写好的 Excel（.xlsx）文件")
    if data.startswith(_ZIP_MAGIC):
        return
    if data.startswith(OLE_MAGIC):
        raise PackageError(MSG_ENCRYPTED_OR_XLS)
    if data.startswith(b"PK"):
        raise PackageError(MSG_CORRUPT)
    if data.startswith(b"%PDF"):
        raise PackageError("文件是 PDF 格式，请上传 Excel（.xlsx）文件")
    head = data[:2048].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if head.startswith((b"<", b"\x00<", b"<\x00")):
        raise PackageError(
            "文件是网页（HTML）或 XML 格式（一些系统导出的“.xls”实为网页），"
            "请在 Excel 中打开后另存为 .xlsx"
        )
    if _looks_like_text(data[:4096]):
        raise PackageError("文件是 CSV 或文本格式，请在 Excel 中打开后另存为 .xlsx 再上传")
    raise PackageError("无法识别的文件格式，请上传 Excel（.xlsx）文件")


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte character may be cut at the 4 KiB boundary.
            try:
                text = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        return printable >= 0.95 * max(len(text), 1)
    return False


def _eocd_entry_count(data: bytes) -> int | None:
    """Entry count from the end-of-central-directory record (None when it cannot be found)."""
    position = data.rfind(_EOCD_MAGIC, max(0, len(data) - 65557))
    if position < 0 or position + 22 > len(data):
        return None
    return int.from_bytes(data[position + 10 : position + 12], "little")


class Package:
    """A zip container that passed the directory checks; members are read with hard bounds."""

    def __init__(self, data: bytes, limits: ReadLimits) -> None:
        self.data = data
        self.limits = limits
        count = _eocd_entry_count(data)
        if count is not None and count > limits.max_members:
            raise PackageError(_too_many(count, limits.max_members))
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise PackageError(MSG_CORRUPT) from None
        if len(infos) > limits.max_members:
            raise PackageError(_too_many(len(infos), limits.max_members))
        self.infos: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            if info.filename in self.infos:
                # Two members with one name are read differently by different zip libraries.
                raise PackageError("文件内部结构异常（部件重名），疑似恶意文件，已拒绝")
            self.infos[info.filename] = info
            if info.flag_bits & 0x1:
                raise PackageError(MSG_ENCRYPTED_OR_XLS)
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise PackageError("文件使用了不支持的压缩方式，请在 Excel 中另存为 .xlsx")
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_MIN_BYTES and ratio > limits.max_compression_ratio:
                raise PackageError(
                    f"文件内部部件压缩比异常（{ratio:.0f}倍，上限{limits.max_compression_ratio}倍），"
                    "疑似压缩炸弹，已拒绝"
                )
        if total > limits.max_uncompressed_bytes:
            raise PackageError(
                f"文件解压后过大（{size_text(total)}，上限{size_text(limits.max_uncompressed_bytes)}），"
                "疑似压缩炸弹，已拒绝"
            )
        self._identify()

    def _identify(self) -> None:
        names = self.infos.keys()
        part = self._workbook_part()
        if "[Content_Types].xml" in names and part in names and part.endswith(".xml"):
            return
        if any(name.startswith("word/") for name in names):
            raise PackageError("文件是 Word 文档，请上传 Excel（.xlsx）文件")
        if any(name.startswith("ppt/") for name in names):
            raise PackageError("文件是 PowerPoint 文档，请上传 Excel（.xlsx）文件")
        if "mimetype" in names or "content.xml" in names:
            raise PackageError("文件是 .ods 格式（WPS/LibreOffice），请另存为 .xlsx 后上传")
        if "xl/workbook.bin" in names:
            raise PackageError("不支持 .xlsb 二进制工作簿，请在 Excel 中另存为 .xlsx")
        raise PackageError("文件不是 Excel 工作簿（.xlsx），请检查后重新上传")

    def _raw(self, info: zipfile.ZipInfo) -> memoryview:
        start = info.header_offset
        header = self.data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size:
            raise PackageError(MSG_CORRUPT)
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _ZIP_MAGIC:
            raise PackageError(MSG_CORRUPT)
        name_length, extra_length = fields[-2], fields[-1]
        begin = start + _LOCAL_HEADER.size + name_length + extra_length
        end = begin + info.compress_size
        if end > len(self.data):
            raise PackageError(MSG_CORRUPT)
        return memoryview(self.data)[begin:end]

    def iter_member(self, name: str) -> Iterator[bytes]:
        """Yield the member's bytes in chunks, refusing to produce more than it declares."""
        info = self.infos[name]
        raw = self._raw(info)
        declared = info.file_size
        if info.compress_type == zipfile.ZIP_STORED:
            if len(raw) != declared:
                raise PackageError(MSG_CORRUPT)
            for offset in range(0, declared, _OUT_CHUNK):
                yield bytes(raw[offset : offset + _OUT_CHUNK])
            return
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        produced = 0
        try:
            for offset in range(0, len(raw), _IN_CHUNK):
                pending: bytes | memoryview = raw[offset : offset + _IN_CHUNK]
                while pending:
                    out = inflater.decompress(pending, _OUT_CHUNK)
                    pending = inflater.unconsumed_tail
                    produced += len(out)
                    if produced > declared:
                        raise PackageError(MSG_LIED)
                    if out:
                        yield out
                if inflater.eof:
                    break
            out = inflater.flush()
        except zlib.error:
            raise PackageError(MSG_CORRUPT) from None
        produced += len(out)
        if produced > declared:
            raise PackageError(MSG_LIED)
        if out:
            yield out
        if not inflater.eof or produced != declared:
            raise PackageError(MSG_CORRUPT)

    def read_member(self, name: str, max_bytes: int = _META_MAX_BYTES) -> bytes:
        """A small member (workbook.xml, .rels) in memory."""
        if self.infos[name].file_size > max_bytes:
            raise PackageError("文件内部结构异常（部件过大），已拒绝")
        return b"".join(self.iter_member(name))

    def verify_all(self, skip: tuple[str, ...] = ()) -> None:
        """Decompress every member once with the bounds, so no other parser meets a lying member."""
        for name in self.infos:
            if name not in skip:
                for _chunk in self.iter_member(name):
                    pass

    def _parse_xml(self, name: str) -> etree._Element:
        data = self.read_member(name)
        if b"<!DOCTYPE" in data:
            raise PackageError(MSG_UNSAFE_XML)
        try:
            return etree.fromstring(data, parser=_safe_parser())
        except etree.XMLSyntaxError:
            raise PackageError(MSG_CORRUPT) from None

    def _relationships(self, source_part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, target part) for ``source_part`` ("" for the package)."""
        folder, base = posixpath.split(source_part)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if rels_name not in self.infos:
            return {}
        relations = {}
        for element in self._parse_xml(rels_name).iterfind("{*}Relationship"):
            target = element.get("Target", "")
            if element.get("TargetMode") == "External":
                continue
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join(folder, target))
            relations[element.get("Id", "")] = (element.get("Type", ""), part)
        return relations

    def _workbook_part(self) -> str:
        for kind, part in self._relationships("").values():
            if kind.endswith("/officeDocument"):
                return part
        return "xl/workbook.xml"

    def workbook(self) -> WorkbookInfo:
        """Sheet names, their parts and the date system, from workbook.xml."""
        part = self._workbook_part()
        if part not in self.infos:
            raise PackageError(MSG_CORRUPT)
        root = self._parse_xml(part)
        relations = self._relationships(part)
        sheets = []
        for element in root.iterfind("{*}sheets/{*}sheet"):
            rel_id = next((v for k, v in element.attrib.items() if k.endswith(_REL_NS_SUFFIX)), "")
            kind, target = relations.get(rel_id, ("", ""))
            sheets.append(
                SheetInfo(
                    name=element.get("name", ""),
                    part=target if kind.endswith("/worksheet") else "",
                    state=element.get("state", "visible"),
                )
            )
        properties = root.find("{*}workbookPr")
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        return WorkbookInfo(sheets=tuple(sheets), date1904=date1904)


def _too_many(count: int, limit: int) -> str:
    return f"文件内部结构异常（包含{count}个部件，上限{limit}个），疑似恶意文件，已拒绝"


def open_package(data: bytes, limits: ReadLimits) -> Package:
    """Sniff and open ``data`` as an xlsx package; raises :class:`PackageError`."""
    if len(data) > limits.max_file_bytes:
        raise PackageError(_too_big(len(data), limits.max_file_bytes))
    sniff(data)
    return Package(data, limits)


# Byte patterns that must occur in a sheet's XML for it to hold a formula or a hidden row: every
# element start tag is "<" + optional "prefix:" + name followed by whitespace, ">" or "/", and
# attribute names are literal. A regex with a literal prefix runs at C speed over the bytes. A hit
# only sends us to the exact lxml pass, so false positives (e.g. the text "hidden") are harmless.
_CANDIDATES = (re.compile(rb"<f[\s/>]"), re.compile(rb":f[\s/>]"), re.compile(rb"hidden"))
_OVERLAP = 16


def _needs_full_pass(chunks: Iterator[bytes]) -> bool:
    """Cheap C-speed scan: can ``<sheetData>`` contain a formula or a hidden row?

    Candidates are searched from the first "sheetData" to the last "sheetData>" (its end tag):
    hidden columns (``<cols>``), data-validation ``<formula1>`` and autofilter ``<filter>`` live
    outside it. Both bounds err on the side of scanning more.
    """
    start: int | None = None
    end: int | None = None
    first_hit: int | None = None
    offset = 0  # absolute position of window[0]
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if offset == 0 and (window[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in window[:64]):
            for _rest in chunks:  # UTF-16 XML: the byte patterns do not apply; drain to verify
                pass
            return True
        if start is None:
            if b"<!DOCTYPE" in window:
                raise PackageError(MSG_UNSAFE_XML)
            found = window.find(b"sheetData")
            if found >= 0:
                start = offset + found
        if start is not None and first_hit is None:
            begin = max(0, start - offset)
            hits = [m.start() for m in (p.search(window, begin) for p in _CANDIDATES) if m]
            if hits:
                first_hit = offset + min(hits)
        closing = window.rfind(b"sheetData>")
        if closing >= 0:
            end = offset + closing
        tail = window[-_OVERLAP:]
        offset += len(window) - len(tail)
    if first_hit is None:
        return False
    return end is None or first_hit < end


def scan_sheet(
    package: Package, part: str, *, cap: int = 100_000, force_full_pass: bool = False
) -> SheetScan:
    """Find formula cells and hidden rows of one worksheet (also verifies its declared size).

    ``cap`` bounds the number of findings kept per kind; more are pointless to report.
    """
    if not force_full_pass and not _needs_full_pass(package.iter_member(part)):
        return SheetScan()
    scan = SheetScan(full_pass=True)
    # Events for <f> too (rare) rather than searching every row for one.
    parser = etree.XMLPullParser(
        events=("end",),
        tag=("{*}row", "{*}f"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    row_number = 0  # 1-based, as in the XML, of the last finished row
    try:
        for chunk in package.iter_member(part):
            if b"<!DOCTYPE" in chunk:
                raise PackageError(MSG_UNSAFE_XML)
            parser.feed(chunk)
            for _event, element in parser.read_events():
                if element.tag.endswith("f"):
                    if len(scan.formulas) < cap:
                        scan.formulas.append(_formula_cell(element, row_number))
                    continue
                reference = element.get("r")
                row_number = int(reference) if reference else row_number + 1
                if element.get("hidden") in ("1", "true") and len(scan.hidden_rows) < cap:
                    scan.hidden_rows.append(row_number - 1)
                # Keep memory flat: drop the finished row and everything before it.
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
        parser.close()
    except etree.XMLSyntaxError:
        raise PackageError(MSG_CORRUPT) from None
    return scan


def _formula_cell(formula: etree._Element, previous_row: int) -> tuple[int, int]:
    """0-based (row, column) of the cell holding ``formula`` (cell and row refs are optional)."""
    cell = formula.getparent()
    row = cell.getparent()
    reference = cell.get("r")
    if reference:
        letters = reference.rstrip("0123456789")
        return int(reference[len(letters) :]) - 1, column_index(letters)
    row_reference = row.get("r")
    row_number = int(row_reference) if row_reference else previous_row + 1
    column = -1
    for sibling in row.iterfind("{*}c"):
        reference = sibling.get("r")
        column = column_index(reference.rstrip("0123456789")) if reference else column + 1
        if sibling is cell:
            break
    return row_number - 1, column
