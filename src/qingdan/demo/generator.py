"""The whole synthetic region, one app's generator after another, deterministic by seed."""

from __future__ import annotations

import random
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
    from qingdan.demo.duties import generate_duties, seed_review_stages
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
    started = time.perf_counter()
    duties = generate_duties(org, scale, seed, acting_user)
    report.counts.update(duties.counts())
    report.seconds["三定规定与履职清单"] = time.perf_counter() - started
    started = time.perf_counter()
    review = seed_review_stages(org.departments, random.Random(seed), acting_user)
    report.counts.update(review)
    report.seconds["二报二审进度"] = time.perf_counter() - started
    started = time.perf_counter()
    from qingdan.demo.processes import generate_processes

    report.counts.update(generate_processes(seed, acting_user).counts())
    report.seconds["流程图"] = time.perf_counter() - started
    return report
