from __future__ import annotations

import resource
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from qingdan.demo.generator import generate


class Command(BaseCommand):
    help = "生成一个合成的演示区域（市、县、乡镇及其部门、编制、岗位、人员和清单），写入当前配置的数据库。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=["small", "city"],
            default="small",
            help="规模：small 供测试使用；city 为一个地级市的规模（约40个部门、470个内设机构、1600个岗位）",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据（默认 2026）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        report = generate(options["scale"], options["seed"])
        elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for name, n in report.counts.items():
            self.stdout.write(f"{name}: {n}")
        for name, secs in report.seconds.items():
            self.stdout.write(f"耗时 {name}: {secs:.1f} 秒")
        self.stdout.write(f"总耗时 {elapsed:.1f} 秒，峰值内存 {peak_mb:.0f} MB")
