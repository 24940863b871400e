"""The whole synthetic region, one app's generator after another, deterministic by seed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import CommandError

from qingdan.org.models import Region


@dataclass
class GenerationReport:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def generate(scale: str, seed: int, *, acting_user: Any = None) -> GenerationReport:
    from qingdan.demo.org import generate_org

    if Region.objects.exists():
        raise CommandError(
            "数据库中已有数据：generate 只向空数据库写入演示区域（可先删除数据库文件）。"
        )
    report = GenerationReport()
    started = time.perf_counter()
    org = generate_org(scale, seed, acting_user)
    report.counts.update(org.counts())
    report.seconds["机构编制"] = time.perf_counter() - started
    return report
