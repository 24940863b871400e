from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from qingdan.core.management.commands.serve import gunicorn_argv
from qingdan.demo.accounts import ensure_demo_accounts
from qingdan.demo.generator import generate
from qingdan.org.models import Region


class Command(BaseCommand):
    help = (
        "一键演示：迁移数据库，生成演示城市（首次），为每个角色创建演示账号并打印密码，"
        "然后启动 gunicorn 网站和后台任务进程。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="监听地址（默认 127.0.0.1:8000）"
        )
        parser.add_argument(
            "--scale", choices=["small", "city"], default="city", help="演示规模（默认 city）"
        )
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--workers", type=int, default=3, help="网站进程数（默认 3）")
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="只准备数据和账号，不启动服务（用于检查和基准测试）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("→ 迁移数据库…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("→ 收集静态文件…")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Region.objects.exists():
            self.stdout.write(f"→ 生成演示区域（规模 {options['scale']}，种子 {options['seed']}）…")
            started = time.perf_counter()
            report = generate(options["scale"], options["seed"])
            summary = "，".join(f"{k}{v}" for k, v in report.counts.items())
            self.stdout.write(f"  {summary}（{time.perf_counter() - started:.0f} 秒）")
        accounts = ensure_demo_accounts()
        lines = [f"{'账号':<16}{'密码':<16}{'角色':<10}{'数据范围':<10}范围", "-" * 72]
        lines += [
            f"{a.username:<16}{a.password:<16}{a.role:<10}{a.scope:<10}{a.anchor}" for a in accounts
        ]
        accounts_file = Path(settings.DATA_DIR) / "demo-accounts.txt"
        accounts_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        accounts_file.chmod(0o600)
        self.stdout.write(f"\n演示账号（每次启动重新生成密码，另存于 {accounts_file}）：\n")
        self.stdout.write("\n".join(lines))
        if options["no_serve"]:
            return
        host = options["bind"]
        self.stdout.write(f"\n→ 启动后台任务进程和网站：http://{host}/admin/  （Ctrl+C 停止）\n")
        self.stdout.flush()
        qingdan = Path(sys.executable).with_name("qingdan")
        worker = subprocess.Popen([str(qingdan), "worker"], env=os.environ.copy())  # noqa: S603
        web = subprocess.Popen(gunicorn_argv(host, options["workers"]), env=os.environ.copy())  # noqa: S603

        def stop(*_: Any) -> None:
            for proc in (web, worker):
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while web.poll() is None and worker.poll() is None:
                time.sleep(0.5)
        finally:
            stop()
            for proc in (web, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
