"""A department for handbook tests: the process world (two units more, a 行政许可 process with
risk points) plus a 三定规定, tasks with positions and a second task without a process."""

from __future__ import annotations

from dataclasses import dataclass

from qingdan.duties.models import Task
from tests.duties import helpers as dh
from tests.processes.helpers import ProcessWorld, build_process_world


@dataclass
class HandbookWorld:
    pw: ProcessWorld
    second: Task

    @property
    def w(self):
        return self.pw.w


def build_handbook_world() -> HandbookWorld:
    pw = build_process_world()
    w = pw.w
    dh.mandate(
        w.dept_a,
        title="东川市教育局职能配置、内设机构和人员编制规定",
        code="SD1",
        doc_number="东编发〔2019〕12号",
        parsed={"nature": {"text": "东川市教育局是市人民政府工作部门，为正处级。"}},
    )
    dh.put(pw.task_a, w.position_a)
    item = dh.duty(w.dept_a, "负责学校安全工作。", code="ZZ002")
    second = dh.task(
        item,
        pw.office_a,
        "校园安全检查",
        legal_basis="《中小学幼儿园安全管理办法》",
        work_spec="每学期开学前完成全面检查。",
        cooperating_units=[w.unit_a],
    )
    dh.put(second, w.position_a, "assist")
    return HandbookWorld(pw, second)
