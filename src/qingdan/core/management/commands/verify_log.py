from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qingdan.core.changelog import verify_chain


class Command(BaseCommand):
    help = (
        "校验变更日志哈希链：任何一条日志被修改、删除或重排时以非零状态退出，并指出第一条问题记录。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain()
        if not result.ok:
            where = f"（数据库ID {result.first_bad_id}）" if result.first_bad_id else ""
            raise CommandError(
                f"变更日志校验失败：{result.problem}{where}。已通过校验的日志 {result.checked} 条。",
                returncode=2,
            )
        self.stdout.write(f"变更日志完整：共 {result.checked} 条，哈希链校验通过。")
