"""A small, fixed handbook input: the trial run of an uploaded template, tests and the benchmark.

``sample_input(tasks=N)`` gives a department with four units, positions, a 三定 summary, N tasks
spread over the units and a flowchart for every other task (the engine's templates and synthetic
processes), risk points included. Deterministic: the same N always gives the same input.
"""

from __future__ import annotations

import datetime as dt

from qingdan.processes.flowchart import template
from qingdan.processes.flowchart.synth import generate_one

from .inputs import (
    DepartmentIn,
    DutyIn,
    HandbookInput,
    MandateIn,
    PositionIn,
    ProcessIn,
    RiskIn,
    StaffingIn,
    TaskIn,
    TaskPositionIn,
    UnitIn,
)

UNITS = (
    ("U01", "办公室", "综合"),
    ("U02", "政策法规科", "业务"),
    ("U03", "行政审批科", "业务"),
    ("U04", "监督检查科", "执法"),
)
DUTIES = (
    "贯彻执行国家教育方针、政策和法律法规，拟订全市教育改革与发展规划并组织实施。",
    "负责全市各级各类教育的统筹规划和协调管理，负责学校安全工作。",
    "负责教育行政许可事项的受理、审查和决定。",
    "负责教育系统行政执法和监督检查工作。",
)
FREQUENCIES = ("每月", "每季度", "每年", "按件（不定期）")


def sample_input(
    tasks: int = 12, *, name: str = "东川市教育局", code: str = "A01", seed: int = 7
) -> HandbookInput:
    units = tuple(
        UnitIn(
            ucode,
            uname,
            rank="正科级",
            approved=4 + i,
            filled=3 + i,
            positions=tuple(
                PositionIn(f"{ucode}-G{k}", f"{uname}{label}岗", category, 2, 1 + k % 2, k == 1)
                for k, label in enumerate(("负责人", "业务", "综合"), start=1)
            ),
        )
        for i, (ucode, uname, category) in enumerate(UNITS)
    )
    duties = tuple(
        DutyIn(f"ZZ{i:03d}", text, clause=f"（{i}）", is_core=i < 3)
        for i, text in enumerate(DUTIES, start=1)
    )
    task_rows = []
    processes = []
    for i in range(tasks):
        unit = units[i % len(units)]
        duty = duties[i % len(duties)]
        code_i = f"{duty.code}-{i + 1:03d}"
        graph = template("行政许可") if i == 0 else generate_one(seed, i)
        task_rows.append(
            TaskIn(
                code=code_i,
                name=graph.title.removesuffix("流程图").removesuffix("事项办理") or f"任务{i + 1}",
                duty_code=duty.code,
                lead_unit=unit.code,
                lead_unit_name=unit.name,
                description="依照法定条件和程序办理，做到材料齐全、审查规范、按时办结。",
                frequency=FREQUENCIES[i % len(FREQUENCIES)],
                annual_hours=float(40 + i),
                time_limit_days=[5, 10, 20, None][i % 4],
                legal_basis="《中华人民共和国行政许可法》第三十二条",
                work_spec="受理后五个工作日内完成审查，需要现场核查的，由两名以上工作人员进行。",
                positions=(
                    TaskPositionIn("lead", unit.positions[1].name, unit.name),
                    TaskPositionIn("backup", unit.positions[2].name, unit.name),
                ),
            )
        )
        if i % 2 == 0:
            processes.append(
                ProcessIn(
                    code=f"LC{i + 1:03d}",
                    task_code=code_i,
                    name=graph.title,
                    graph=graph,
                    legal_limit_days=graph.legal_limit_days,
                    supervision="实行全程电子监察，超时自动预警。",
                    complaint="12345政务服务便民热线",
                    risks=tuple(
                        RiskIn(
                            n.label,
                            n.risk_level,
                            "审查把关不严，违规办理。",
                            "双人审核，留痕管理。",
                            "王芳",
                        )
                        for n in graph.nodes
                        if n.risk_level
                    ),
                )
            )
    return HandbookInput(
        department=DepartmentIn(code, name, "市教育局", "政府工作部门", "正处级", "东川市"),
        on=dt.date(2026, 11, 5),
        mandate=MandateIn(
            title=f"{name}职能配置、内设机构和人员编制规定",
            doc_number="东编发〔2019〕12号",
            effective_date=dt.date(2019, 3, 1),
            nature=f"{name}是市人民政府工作部门，为正处级。",
            main_duties=DUTIES,
        ),
        staffing=StaffingIn(
            administrative=26,
            filled_administrative=22,
            leader_principal=1,
            leader_deputy=3,
            leader_unit=6,
            doc_number="东编〔2019〕1号",
        ),
        units=units,
        leaders=(
            PositionIn("L01", "局长", "领导", 1, 1),
            PositionIn("L02", "副局长", "领导", 3, 2),
        ),
        duties=duties,
        tasks=tuple(task_rows),
        processes=tuple(processes),
    )
