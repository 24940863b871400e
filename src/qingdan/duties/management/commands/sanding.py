"""``qingdan sanding parse FILE [--json]``: read a 三定 regulation and print what was parsed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from qingdan.duties import uploads
from qingdan.duties.sanding import parse_sanding

MAX_FILE_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = "三定规定工具：parse 解析三定规定文本（.txt/.docx），输出主要职责、内设机构、编制和领导职数。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="子命令")
        parse = sub.add_parser(
            "parse",
            help="解析一个三定规定文件",
            description="解析三定规定文件（.txt 或 .docx），打印解析结果。",
        )
        parse.add_argument("file", help="三定规定文件路径（.txt，UTF-8/GBK；或 .docx）")
        parse.add_argument(
            "--json",
            action="store_true",
            help="以JSON输出：title、main_duties、units、staffing、leadership_posts、unparsed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise CommandError(f"无法读取文件“{path}”：文件不存在。") from exc
        except IsADirectoryError as exc:
            raise CommandError(f"无法读取文件“{path}”：这是一个目录。") from exc
        except PermissionError as exc:
            raise CommandError(f"无法读取文件“{path}”：没有读取权限。") from exc
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：读取出错（{exc.errno}）。") from exc
        try:
            if len(data) > MAX_FILE_BYTES:
                raise ValidationError(f"文件过大，上限为{MAX_FILE_BYTES // 1024 // 1024} MB。")
            if path.suffix.lower() == ".docx":
                text = uploads.read_docx(data)
            else:  # at the console any other name is read as text (UTF-8/GBK)
                text = uploads.decode_text(data)
            text = uploads.check_text(text)
        except ValidationError as exc:
            raise CommandError(f"无法读取文件“{path}”：{'；'.join(exc.messages)}") from exc
        document = parse_sanding(text)
        if options["json"]:
            self.stdout.write(json.dumps(document.to_json(), ensure_ascii=False, indent=2))
            return
        self._summary(document)

    def _summary(self, document: Any) -> None:
        out = self.stdout.write
        result = document.to_json()
        out(f"标题：{result['title'] or '（未识别）'}")
        out(f"主要职责：{len(result['main_duties'])}项")
        for i, duty in enumerate(result["main_duties"], start=1):
            out(f"  （{i}）{duty}")
        out(f"内设机构：{len(result['units'])}个")
        for unit in result["units"]:
            out(f"  {unit['name']}（职责{len(unit['duties'])}项）")
        staffing = result["staffing"]
        labels = {
            "administrative": "行政编制",
            "public_institution": "事业编制",
            "logistics": "工勤编制",
        }
        figures = [f"{labels[k]}{v}名" for k, v in staffing.items() if v is not None]
        out("人员编制：" + ("，".join(figures) if figures else "（未识别）"))
        posts = [f"{p['title']}{p['count']}名" for p in result["leadership_posts"]]
        out("领导职数：" + ("，".join(posts) if posts else "（未识别）"))
        out(f"未解析：{len(result['unparsed'])}处")
        for item in result["unparsed"]:
            out(f"  · {item[:80]}")
        for warning in document.warnings:
            self.stderr.write(f"提示：{warning.message}")
