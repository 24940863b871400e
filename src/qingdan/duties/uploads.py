"""Reading a 三定 regulation from a pasted text or an uploaded .txt/.docx file, with Chinese errors.

Every refusal is a ``ValidationError`` whose message tells the user what to do; nothing here
writes anything. A .docx is a zip archive: its size after decompression is checked before
python-docx opens it, so a small upload cannot expand into gigabytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_TEXT_CHARS = 500_000  # Mandate.full_text's limit
MAX_DOCX_EXPANDED = 40 * 1024 * 1024
ALLOWED_SUFFIXES = (".txt", ".docx")
_ENCODINGS = ("utf-8-sig", "gb18030")


def normalize_newlines(text: str) -> str:
    """Browsers send CRLF; offsets of the parse are offsets in the text with plain LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_text(text: str) -> str:
    text = normalize_newlines(text)
    if not text.strip():
        raise ValidationError("内容为空：请粘贴三定规定正文，或上传含正文的文件。", code="empty")
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"文本过长：共{len(text)}字，上限为{MAX_TEXT_CHARS}字。请只提交三定规定正文。",
            code="too_long",
        )
    if "\x00" in text:
        raise ValidationError("内容含有二进制数据，不是文本。", code="binary")
    return text


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise ValidationError("文件不是文本文件（含有二进制数据）。请上传 .txt 或 .docx 文件。")
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        if controls > max(3, len(text) // 100):
            raise ValidationError(
                "文件不是文本文件（含有大量控制字符）。请上传 .txt 或 .docx 文件。"
            )
        return text
    raise ValidationError("无法识别文件编码：请将文件另存为 UTF-8 或 GBK 编码的文本后再上传。")


def read_docx(data: bytes) -> str:
    """Paragraphs and table cells of a Word document, in document order."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError("文件不是有效的 Word（.docx）文档，可能已损坏。") from exc
    if "word/document.xml" not in names:
        raise ValidationError("文件不是有效的 Word（.docx）文档。")
    if expanded > MAX_DOCX_EXPANDED:
        raise ValidationError("Word 文档解压后过大，疑似异常文件，已拒绝。")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        body = document.element.body
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    lines.append("\t".join(cell.text for cell in row.cells))
    except ValidationError:
        raise
    except Exception as exc:  # python-docx raises many kinds on malformed files
        raise ValidationError("无法读取 Word 文档内容，文件可能已损坏或加密。") from exc
    return "\n".join(lines)


def read_upload(name: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """The text of an uploaded .txt or .docx file (checked by :func:`check_text`)."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        shown = suffix or "无扩展名"
        raise ValidationError(
            f"不支持的文件类型（{shown}）：请上传 .txt 文本文件或 .docx Word 文档。"
            + ("旧版 .doc 文档请先另存为 .docx。" if suffix == ".doc" else "")
        )
    if len(data) > max_bytes:
        raise ValidationError(f"文件过大（{_size(len(data))}），上限为{_size(max_bytes)}。")
    if not data:
        raise ValidationError("文件为空。")
    text = read_docx(data) if suffix == ".docx" else decode_text(data)
    return check_text(text)
