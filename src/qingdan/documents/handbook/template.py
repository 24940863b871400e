"""A region's own Word template (.docx) for the handbook, rendered with docxtpl in our sandbox.

The template supplies what a region wants to own — page setup, styles, header and footer, the
cover — and places the generated body with one of three tags, each alone in its paragraph:

    {{p body}}        table of contents followed by the chapters
    {{p toc}}         only the table of contents
    {{p chapters}}    only the chapters

and may print these variables anywhere (cover, header, footer, document properties):
``department`` ``department_short`` ``department_code`` ``region`` ``title`` ``date`` ``version``
``issuer``, ``counts.units`` ``counts.positions`` ``counts.duty_items`` ``counts.tasks``
``counts.flowcharts`` ``counts.risks`` ``counts.boundaries``, and loop over ``units`` (each with
``name`` ``approved`` ``filled`` ``positions`` ``tasks``).

The body is not pushed through Jinja: the tag renders a one-off marker paragraph, which is then
replaced by the body's XML text in the saved document (never parsed into the tree). That keeps the untrusted template's run
small and fast, and the body's drawings and tables exactly as the renderer wrote them.

Before docxtpl sees a file, :func:`inspect_package` refuses anything that is not a plain .docx of
at most 5 MB: other formats, macro-enabled documents (.docm), templates (.dotx), encrypted files,
zip bombs, DOCTYPE declarations.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from jinja2.exceptions import SecurityError, TemplateError, UndefinedError
from lxml import etree

from .docx_styles import ensure_fonts, ensure_styles
from .docx_xml import NAMESPACES, W_NS, body_xml
from .sandbox import Budget, HandbookEnvironment, TemplateRefused, security_error

MIB = 1024 * 1024
MAX_TEMPLATE_BYTES = 5 * MIB
MAX_UNCOMPRESSED = 50 * MIB
MAX_MEMBERS = 500
MAX_RATIO = 200
BODY_TAGS = ("body", "toc", "chapters")
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    "application/vnd.ms-office.vbaProject",
)
DOTX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
W = f"{{{W_NS}}}"
# Parents a body tag's paragraph may sit in (the body replaces the paragraph).
BLOCK_PARENTS = {f"{W}body", f"{W}tc", f"{W}txbxContent", f"{W}sdtContent"}


def _size_text(size: int) -> str:
    return f"{size / MIB:.1f} MB" if size >= MIB else f"{max(size / 1024, 0.1):.1f} KB"


def inspect_package(data: bytes) -> None:
    """Refuse, with a Chinese message, anything but a plain Word document of at most 5 MB."""
    if not data:
        raise TemplateRefused("模板文件为空，请上传 Word 文档（.docx）。")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(
            f"模板文件大小（{_size_text(len(data))}）超过上限（{_size_text(MAX_TEMPLATE_BYTES)}）。"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TemplateRefused("文件是旧版 .doc 格式或已加密，请在 Word 中另存为未加密的 .docx。")
    if data.startswith(b"%PDF"):
        raise TemplateRefused("文件是 PDF，请上传 Word 文档（.docx）作为模板。")
    if not data.startswith(b"PK\x03\x04"):
        raise TemplateRefused("文件不是 Word 文档（.docx），请检查后重新上传。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise TemplateRefused("文件已损坏或不完整，请在 Word 中重新保存后上传。") from None
    if len(infos) > MAX_MEMBERS:
        raise TemplateRefused("文件内部部件过多，疑似恶意文件，已拒绝。")
    names: set[str] = set()
    total = 0
    for info in infos:
        if info.filename in names:
            raise TemplateRefused("文件内部结构异常（部件重名），疑似恶意文件，已拒绝。")
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise TemplateRefused("文件已加密，请在 Word 中取消密码后另存为 .docx。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise TemplateRefused("文件使用了不支持的压缩方式，请在 Word 中另存为 .docx。")
        total += info.file_size
        if info.file_size > MIB and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            raise TemplateRefused("文件内部部件压缩比异常，疑似压缩炸弹，已拒绝。")
        if info.filename.lower().endswith("vbaproject.bin"):
            raise TemplateRefused("模板含有宏（.docm），出于安全原因不能使用，请另存为 .docx。")
    if total > MAX_UNCOMPRESSED:
        raise TemplateRefused("文件解压后过大，疑似压缩炸弹，已拒绝。")
    if "[Content_Types].xml" not in names:
        raise TemplateRefused("文件不是 Word 文档（.docx），请检查后重新上传。")
    types = _content_types(archive)
    if any(t in MACRO_TYPES for t in types):
        raise TemplateRefused("模板含有宏（.docm），出于安全原因不能使用，请另存为 .docx。")
    if DOTX_MAIN in types:
        raise TemplateRefused("文件是 Word 模板（.dotx），请在 Word 中另存为文档（.docx）后上传。")
    if DOCX_MAIN not in types:
        raise TemplateRefused("文件不是 Word 文档（.docx），请检查后重新上传。")
    for info in infos:
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            head = archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise TemplateRefused("文件已损坏或不完整，请在 Word 中重新保存后上传。") from None
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise TemplateRefused("文件含不安全的 XML 声明（DOCTYPE），已拒绝。")


def _content_types(archive: zipfile.ZipFile) -> set[str]:
    raw = archive.read("[Content_Types].xml")
    if b"<!DOCTYPE" in raw:
        raise TemplateRefused("文件含不安全的 XML 声明（DOCTYPE），已拒绝。")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(raw, parser=parser)
    except etree.XMLSyntaxError:
        raise TemplateRefused("文件已损坏或不完整，请在 Word 中重新保存后上传。") from None
    return {
        el.get("ContentType", "")
        for el in root
        if el.tag in (f"{CT_NS}Override", f"{CT_NS}Default")
    }


class _Marker:
    """What ``{{p body}}`` prints: a paragraph carrying a one-off token, replaced afterwards."""

    def __init__(self, name: str, token: str) -> None:
        self.text = f"〔QD-{token}-{name}〕"

    def __html__(self) -> str:
        return f"<w:p><w:r><w:t>{self.text}</w:t></w:r></w:p>"

    __str__ = __html__


def render_template(
    data: bytes,
    context: Mapping[str, Any],
    bodies: Mapping[str, Callable[[], str]],
    *,
    budget: Budget | None = None,
) -> bytes:
    """Render the template ``data`` with ``context`` and put the body in place.

    ``bodies`` maps each tag (body, toc, chapters) to a function giving the WordprocessingML it
    stands for — body-level elements written with the prefixes of ``docx_xml.NAMESPACES`` — called
    only for the tags the template uses. Raises :class:`TemplateRefused` (nothing generated) on a
    bad or hostile template.

    The body is never parsed: each marker paragraph becomes an XML comment carrying the one-off
    token, and the comment is replaced by the body's text in the saved document.xml (a body of
    10⁵ elements would otherwise be parsed and moved into the template's tree one by one).
    """
    from docxtpl import DocxTemplate

    inspect_package(data)
    token = secrets.token_hex(8)
    markers = {name: _Marker(name, token) for name in BODY_TAGS}
    env = HandbookEnvironment(budget)
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.render({**context, **markers}, jinja_env=env, autoescape=True)
    except TemplateRefused:
        raise
    except SecurityError as exc:
        raise security_error(exc) from None
    except UndefinedError as exc:
        raise TemplateRefused(f"模板使用了未定义的变量：{exc.message}。可用变量见说明。") from None
    except TemplateError as exc:
        line = f"（第{exc.lineno}行附近）" if getattr(exc, "lineno", None) else ""
        raise TemplateRefused(f"模板语法错误{line}：{exc.message}") from None
    except RecursionError:
        raise TemplateRefused("模板嵌套过深，已拒绝。") from None
    except Exception:
        raise TemplateRefused("模板文件无法解析，请在 Word 中重新保存为 .docx 后上传。") from None
    document = tpl.docx
    slots = _mark_bodies(
        document.element.body,
        {m.text: name for name, m in markers.items() if name in bodies},
        token,
    )
    if not slots:
        raise TemplateRefused(
            "模板中没有放置正文：请在单独的一段中写入 {{p body}}（或 {{p toc}} 与 {{p chapters}}）。"
        )
    finish_document(document)
    root = document.element
    missing: dict[str, str] = {}
    conflict = False
    for comment, _name in slots:
        in_scope = comment.getparent().nsmap
        for prefix, uri in NAMESPACES.items():
            bound = in_scope.get(prefix)
            if bound is None:
                missing[prefix] = uri
            elif bound != uri:
                conflict = True
    out = io.BytesIO()
    tpl.save(out)
    texts: dict[bytes, bytes] = {}
    for comment, name in slots:
        key = etree.tostring(comment, with_tail=False)
        if key not in texts:
            xml = bodies[name]()
            texts[key] = (_self_contained(xml) if conflict else xml).encode()
    return _splice(
        out.getvalue(),
        document.part.partname.lstrip("/"),
        root.prefix,
        etree.QName(root).localname,
        missing,
        texts,
    )


def _mark_bodies(body: Any, names: Mapping[str, str], token: str) -> list[tuple[Any, str]]:
    """Replace each marker paragraph by a comment ``QD-<token>-<name>``; (comment, name) pairs."""
    slots: list[tuple[Any, str]] = []
    for text_el in list(body.iter(f"{W}t")):
        name = names.get(text_el.text or "")
        if name is None:
            continue
        paragraph = text_el.getparent().getparent()
        parent = paragraph.getparent() if paragraph is not None else None
        if paragraph is None or paragraph.tag != f"{W}p" or parent is None:
            continue
        if parent.tag not in BLOCK_PARENTS:
            raise TemplateRefused("{{p body}} 等正文标记必须单独占一段，不能写在表格、文字中间。")
        comment = etree.Comment(f"QD-{token}-{name}")
        comment.tail = paragraph.tail
        parent.replace(paragraph, comment)
        slots.append((comment, name))
    return slots


def _self_contained(xml: str) -> str:
    """The body with its namespaces declared on every top-level element — for a template that
    binds one of our prefixes to another namespace (seen only in hand-made files)."""
    root = etree.fromstring(body_xml([xml]).encode())
    return "".join(etree.tostring(el, encoding="unicode") for el in root)


def _splice(
    package: bytes,
    member: str,
    root_prefix: str | None,
    root_name: str,
    missing: Mapping[str, str],
    texts: Mapping[bytes, bytes],
) -> bytes:
    """The saved package with each marker comment in ``member`` replaced by its body's XML, and
    the prefixes the body uses but the template never bound declared on the root element."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(package)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            raw = zin.read(info)
            if info.filename == member:
                raw = _splice_xml(raw, root_prefix, root_name, missing, texts)
            zout.writestr(info, raw)
    return out.getvalue()


def _splice_xml(
    xml: bytes,
    root_prefix: str | None,
    root_name: str,
    missing: Mapping[str, str],
    texts: Mapping[bytes, bytes],
) -> bytes:
    if missing:
        qname = f"{root_prefix}:{root_name}" if root_prefix else root_name
        start = xml.index(
            b"<" + qname.encode(), xml.index(b"?>") + 2 if xml.startswith(b"<?") else 0
        )
        at = start + 1 + len(qname.encode())
        decl = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in missing.items())
        xml = xml[:at] + decl.encode() + xml[at:]
    for key, text in texts.items():
        if key not in xml:
            raise RuntimeError("body marker lost in the saved document")
        xml = xml.replace(key, text)
    return xml


def finish_document(document: Any) -> None:
    """Add our styles and font fallbacks if missing, and ask Word to refresh fields on opening
    (so the table of contents gets its page numbers)."""
    ensure_styles(document.styles.element)
    part = document.part
    for rel in part.rels.values():
        if rel.reltype.endswith("/fontTable") and not rel.is_external:
            target = rel.target_part
            target._blob = ensure_fonts(target.blob)
    settings = document.settings.element
    if settings.find(f"{W}updateFields") is None:
        update = etree.SubElement(settings, f"{W}updateFields", {f"{W}val": "true"})
        successors = [
            "hdrShapeDefaults",
            "footnotePr",
            "endnotePr",
            "compat",
            "docVars",
            "rsids",
            "mathPr",
            "attachedSchema",
            "themeFontLang",
            "clrSchemeMapping",
            "doNotIncludeSubdocsInStats",
            "doNotAutoCompressPictures",
            "forceUpgrade",
            "captions",
            "readModeInkLockDown",
            "smartTagType",
            "schemaLibrary",
            "shapeDefaults",
            "doNotEmbedSmartTags",
            "decimalSymbol",
            "listSeparator",
        ]
        for child in settings:
            if etree.QName(child).localname in successors:
                child.addprevious(update)
                break
