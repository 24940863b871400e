"""The ``qingdan`` console command.

``qingdan demo | serve | worker | generate | verify-log | manage …`` and every app's own commands
(``qingdan sanding parse …``, ``qingdan coverage …``) — each subcommand is a Django management
command with its own ``--help``.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

OVERVIEW = """用法: qingdan <命令> [参数…]   （每个命令均支持 --help）

常用命令:
  demo         一键演示：迁移数据库、生成演示城市、创建各角色演示账号，并以生产级服务器和任务进程在
               http://127.0.0.1:8000 提供服务
  serve        以 gunicorn 启动网站（不含任务进程）
  worker       启动后台任务进程（导入、导出、汇编等）
  generate     生成合成演示区域：--scale small|city --seed N
  verify-log   校验变更日志哈希链，发现篡改或删除时以非零状态退出并指出第一条问题记录
  manage …     直接调用 Django 管理命令（如 qingdan manage migrate）

其他命令（如 sanding、coverage、import、flowcharts、handbook）由各功能模块提供。
"""

ALIASES = {"verify-log": "verify_log"}


def _demo_environment() -> None:
    """The demo runs without configuration: a secret key kept under ./var, plain HTTP on loopback."""
    data_dir = Path(os.environ.get("QINGDAN_DATA_DIR", Path.cwd() / "var"))
    os.environ.setdefault("QINGDAN_DATA_DIR", str(data_dir))
    if not os.environ.get("QINGDAN_SECRET_KEY"):
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file = data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        os.environ["QINGDAN_SECRET_KEY"] = key_file.read_text().strip()
    os.environ.setdefault("QINGDAN_ALLOW_HTTP", "1")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingdan.settings")
    if not args or args[0] in ("-h", "--help", "help"):
        sys.stdout.write(OVERVIEW)
        return
    command, rest = args[0], args[1:]
    if command in ("demo", "serve", "worker"):
        _demo_environment() if command == "demo" else None
    if command == "manage":
        if not rest:
            rest = ["help"]
        command, rest = rest[0], rest[1:]
    command = ALIASES.get(command, command)

    from django.core.management import execute_from_command_line

    execute_from_command_line(["qingdan", command, *rest])


if __name__ == "__main__":
    main()
