from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动后台任务进程（django-tasks 数据库后端的 db_worker），执行导入、导出和汇编等任务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="处理完当前所有任务后退出")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["--queue-name", "*", "--no-reload", "--interval", "0.5"]
        if options["batch"]:
            argv.append("--batch")
        call_command("db_worker", *argv)
