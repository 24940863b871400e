"""Deterministic synthetic processes: realistic variations of the power-type templates.

The demo region generator and the benchmark both need tens of thousands of believable
一事一流程 charts. `generate(seed, n)` makes `n` of them; the same seed always gives the same
graphs, on every machine and Python run (only `random.Random` with integer seeds is used).

Each process is built from the skeleton of a power type (许可, 处罚, 检查, 给付, 征收, 内部事务)
as a list of blocks: single steps, decisions with an exit (不予受理), correction loops (补正
back to 受理), two-way branches, optional steps (重大案件集体讨论) and parallel work (会签). The
block list is stretched or trimmed to the wanted number of steps, then laid out into 1–5 lanes
named like real units (办公室, 政策法规科, 行政审批科, 分管领导, 局长).
"""

from __future__ import annotations

import random

from .model import Edge, Graph, Lane, Node
from .validate import longest_path

# Lanes in organisational order (窗口 and 办公室 first, leaders last).
ROLE_ORDER = ("party", "window", "office", "biz", "field", "legal", "finance", "leader", "head")
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "party": ("申请人", "当事人", "服务对象"),
    "window": ("政务服务窗口", "综合受理窗口", "行政审批服务科", "办证大厅"),
    "office": ("办公室", "综合办公室", "党政办公室"),
    "biz": (
        "行政审批科",
        "市场监管科",
        "建设管理科",
        "规划管理科",
        "社会事务科",
        "食品安全科",
        "安全生产监督管理科",
        "行业管理科",
        "生态环境保护科",
        "农村经济科",
        "社会救助科",
    ),
    "field": ("执法大队", "综合行政执法队", "稽查科", "监督检查科"),
    "legal": ("政策法规科", "法制审核室", "法规科"),
    "finance": ("财务科", "计划财务科", "财务审计科"),
    "leader": ("分管领导", "分管副局长", "分管副主任"),
    "head": ("局长", "主要负责人", "局长办公会", "主任"),
}
ROLE_STEPS: dict[str, tuple[str, ...]] = {
    "party": ("提出申请", "补正申请材料", "陈述申辩", "缴纳罚款", "提交整改报告"),
    "window": (
        "接收申请材料",
        "受理申请",
        "登记申请信息",
        "核验申请人身份信息",
        "出具受理通知书",
        "窗口受理并录入审批系统",
        "收取申请材料并出具收件凭证",
        "送达决定文书",
        "通知申请人领取证件",
        "告知办理结果",
    ),
    "office": (
        "签收登记",
        "提出拟办意见",
        "核稿",
        "印制、分发",
        "立卷归档",
        "督办催办",
        "组织会议",
        "起草会议纪要",
        "报送上级机关备案",
    ),
    "biz": (
        "审查申请材料",
        "对申请材料进行实质审查",
        "组织现场核查",
        "开展现场勘验",
        "提出审查意见",
        "组织专家评审",
        "核实有关情况",
        "起草审查报告",
        "征求相关部门意见",
        "复核审查意见",
        "制作决定文书",
        "开展事后监督检查",
        "纳入日常监管",
        "建立监管档案",
        "核定征收对象",
        "计算应征金额",
        "公示拟给付对象",
        "核查异议情况",
        "制定检查计划",
    ),
    "field": (
        "现场检查",
        "调查取证",
        "询问当事人并制作笔录",
        "抽样检验",
        "固定证据",
        "送达法律文书",
        "执行处罚决定",
        "跟踪整改情况",
        "组织复查",
        "责令限期整改",
    ),
    "legal": ("法制审核", "合法性审查", "出具法制审核意见", "审核案件证据与适用依据", "组织听证"),
    "finance": ("核算金额", "开具缴款通知书", "收缴款项并开具票据", "资金拨付", "上缴国库"),
    "leader": ("审核", "分管领导审核", "审批", "签署意见", "审核签批", "作出决定"),
    "head": ("局长审批", "签发", "集体讨论决定", "主要负责人审定", "局长办公会研究决定"),
}
# Qualifiers that make labels as long as real ones.
SUFFIXES = (
    "",
    "",
    "",
    "",
    "",
    "，并出具书面意见",
    "（必要时组织专家论证）",
    "，同步录入信息系统",
    "，告知相关权利义务",
    "（涉及第三方的听取意见）",
)
LONG_PREFIXES = (
    "依据《中华人民共和国行政许可法》有关规定",
    "按照本机关权责清单和办事指南的要求",
    "根据《行政处罚法》和自由裁量基准",
)
DAYS: dict[str, tuple[float, ...]] = {
    "party": (5, 10, 15),
    "window": (0.5, 1, 1, 2, 3, 5),
    "office": (0.5, 1, 1, 2, 3),
    "biz": (3, 5, 5, 7, 10, 15, 20),
    "field": (1, 3, 5, 7, 10, 15, 30),
    "legal": (3, 5, 7, 10),
    "finance": (1, 2, 3, 5),
    "leader": (1, 2, 3, 5),
    "head": (1, 2, 3, 5, 7),
}
QUESTIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    # question, label of the way on, label of the way out / back
    "receive": (
        ("材料是否齐全", "齐全", "不齐全"),
        ("材料是否齐全、符合法定形式", "是", "需补正"),
        ("是否符合受理条件", "符合", "不符合"),
    ),
    "scope": (("是否属于受理范围", "是", "否"), ("是否属于本机关职权范围", "属于", "不属于")),
    "review": (("是否符合法定条件", "符合", "不符合"), ("审查是否通过", "通过", "不通过")),
    "decide": (
        ("是否准予", "准予", "不予"),
        ("是否批准", "批准", "不批准"),
        ("领导是否同意", "同意", "不同意"),
    ),
    "file": (("是否符合立案条件", "符合", "不符合"),),
    "hearing": (("当事人是否要求听证", "要求听证", "不要求"),),
    "major": (("是否属于重大案件", "否", "是"), ("是否需集体讨论", "不需要", "需要")),
    "problem": (("是否发现问题", "发现问题", "未发现"),),
    "rectify": (("整改是否到位", "到位", "未到位"), ("复查是否合格", "合格", "不合格")),
    "objection": (("公示有无异议", "无异议", "有异议"),),
    "paid": (("是否按期缴纳", "是", "否"), ("是否足额到账", "是", "否")),
    "relief": (("是否申请减免缓", "不申请", "申请"),),
    "instruct": (("是否需领导批示", "不需要", "需要"),),
    "expert": (("是否需要专家论证", "不需要", "需要"), ("是否需要现场核查", "不需要", "需要")),
}
END_LABELS = {
    "scope": ("出具不予受理决定书", "不予受理，告知理由"),
    "receive": ("不予受理", "退回申请材料"),
    "file": ("不予立案",),
    "decide": ("作出不予许可决定", "不予批准，告知理由"),
    "review": ("审查不通过，退回申请",),
    "problem": ("检查结束，归档",),
}

# Blocks: ("step", role, label|None) | ("exit", role, question, end-key)
# | ("loop", role, question, fix role, fix label, back "prev"|"self")
# | ("branch", role, question, [steps a], [steps b]) | ("option", role, question, [steps])
# | ("parallel", role, [[steps], [steps], ...])
Block = tuple

SKELETONS: dict[str, list[Block]] = {
    "行政许可": [
        ("step", "window", None),
        ("exit", "window", "scope", "scope"),
        ("loop", "window", "receive", "window", "一次性告知需补正的全部内容", "prev"),
        ("step", "biz", None),
        ("option", "biz", "expert", [("step", "biz", "组织专家论证")]),
        ("step", "biz", "提出审查意见"),
        ("step", "leader", None),
        ("exit", "leader", "decide", "decide"),
        ("step", "window", "送达决定文书"),
        ("step", "biz", "开展事后监督检查"),
    ],
    "行政处罚": [
        ("step", "field", "核查违法线索"),
        ("exit", "leader", "file", "file"),
        ("step", "field", "调查取证"),
        ("step", "legal", "法制审核"),
        ("step", "field", "告知拟处罚内容及陈述、申辩、听证权利"),
        (
            "branch",
            "field",
            "hearing",
            [("step", "legal", "组织听证")],
            [("step", "field", "听取陈述、申辩")],
        ),
        ("option", "leader", "major", [("step", "head", "负责人集体讨论决定")]),
        ("step", "leader", "作出行政处罚决定"),
        ("step", "field", "送达行政处罚决定书"),
        ("step", "field", "执行处罚决定"),
        ("step", "office", "结案归档"),
    ],
    "行政检查": [
        ("step", "biz", "制定检查计划"),
        ("step", "leader", "审批检查计划"),
        ("parallel", "field", [[("step", "field", "现场检查")], [("step", "biz", "查阅有关资料")]]),
        ("exit", "field", "problem", "problem"),
        ("step", "field", "责令限期整改"),
        ("loop", "field", "rectify", "field", "督促继续整改", "prev"),
        ("step", "office", "立卷归档"),
    ],
    "行政给付": [
        ("step", "window", "受理给付申请"),
        ("loop", "window", "receive", "window", "告知补正材料", "prev"),
        ("step", "biz", "审核申请人资格"),
        ("step", "biz", "公示拟给付对象"),
        ("loop", "biz", "objection", "biz", "核查异议情况", "prev"),
        ("step", "leader", "审批"),
        ("step", "finance", "资金拨付"),
    ],
    "行政征收": [
        ("step", "window", "受理申报材料"),
        ("step", "biz", "核定征收对象及计征依据"),
        ("step", "biz", "计算应征金额"),
        ("step", "leader", "审核签批"),
        ("option", "biz", "relief", [("step", "biz", "审核减免缓申请")]),
        ("step", "window", "开具缴款通知书"),
        ("loop", "finance", "paid", "biz", "依法催缴", "self"),
        ("step", "finance", "开具票据，资金缴入国库"),
    ],
    "内部事务": [
        ("step", "office", "签收登记"),
        ("step", "office", "提出拟办意见"),
        ("option", "office", "instruct", [("step", "head", "局领导批示")]),
        ("step", "biz", "承办科室办理，起草复文"),
        ("parallel", "biz", [[("step", "legal", "合法性审核")], [("step", "finance", "核对经费")]]),
        ("step", "office", "办公室核稿"),
        ("step", "leader", "分管领导审核"),
        ("step", "head", "签发"),
        ("step", "office", "印制、分发"),
        ("step", "office", "立卷归档"),
    ],
}
KIND_WEIGHTS = (
    ("行政许可", 30),
    ("行政处罚", 25),
    ("行政检查", 15),
    ("行政给付", 10),
    ("行政征收", 10),
    ("内部事务", 10),
)
MATTERS: dict[str, tuple[str, ...]] = {
    "行政许可": (
        "食品经营许可",
        "建设工程规划许可",
        "排污许可",
        "道路运输经营许可",
        "药品零售许可",
        "娱乐场所经营许可",
        "取水许可",
        "林木采伐许可",
    ),
    "行政处罚": (
        "对未取得营业执照从事经营活动的处罚",
        "对违法占用道路的处罚",
        "对超标排放污染物的处罚",
        "对销售不合格产品的处罚",
        "对违规建设的处罚",
    ),
    "行政检查": (
        "安全生产监督检查",
        "食品安全日常检查",
        "特种设备安全检查",
        "消防安全检查",
        "劳动保障监察",
    ),
    "行政给付": ("最低生活保障金给付", "特困人员救助供养", "临时救助金给付", "高龄津贴发放"),
    "行政征收": (
        "城市基础设施配套费征收",
        "水资源费征收",
        "防空地下室易地建设费征收",
        "国有土地使用权出让金征收",
    ),
    "内部事务": ("公文办理", "会议组织", "政府采购", "固定资产管理", "干部请休假审批"),
}


def _count(blocks: list[Block]) -> int:
    total = 0
    for b in blocks:
        kind = b[0]
        if kind in ("step", "exit"):
            total += 1
        elif kind == "loop":
            total += 2
        elif kind == "branch":
            total += 1 + _count(b[3]) + _count(b[4])
        elif kind == "option":
            total += 1 + _count(b[3])
        elif kind == "parallel":
            total += 2 + sum(_count(br) for br in b[2])
    return total


def _filler(rng: random.Random, roles: list[str]) -> Block:
    role = rng.choice(roles)
    roll = rng.random()
    if roll < 0.70:
        return ("step", role, None)
    if roll < 0.80:
        return (
            "option",
            role,
            rng.choice(("expert", "major", "instruct")),
            [("step", rng.choice(roles), None)],
        )
    if roll < 0.88:
        return ("loop", role, rng.choice(("review", "rectify")), role, "退回修改", "prev")
    if roll < 0.95:
        branches = [[("step", rng.choice(roles), None)] for _ in range(rng.choice((2, 2, 3)))]
        return ("parallel", role, branches)
    return ("branch", role, "review", [("step", role, None)], [("step", rng.choice(roles), None)])


def _fit(rng: random.Random, blocks: list[Block], target: int) -> list[Block]:
    """Stretch or trim the block list to `target` steps, keeping the first step."""
    blocks = list(blocks)
    roles = sorted({b[1] for b in blocks}, key=ROLE_ORDER.index)
    # Variety first: randomly drop some optional parts of the skeleton.
    for k in range(len(blocks) - 1, 0, -1):
        if blocks[k][0] in ("option", "exit", "loop", "branch", "parallel") and rng.random() < 0.2:
            del blocks[k]
    guard = 0
    while _count(blocks) < target and guard < 1000:
        guard += 1
        filler = _filler(rng, roles)
        if _count(blocks) + _count([filler]) > target:
            filler = ("step", rng.choice(roles), None)
        blocks.insert(rng.randint(1, len(blocks)), filler)
    while _count(blocks) > target and len(blocks) > 1:
        # Remove the block whose removal lands closest to the target, latest first.
        excess = _count(blocks) - target
        best = min(
            range(1, len(blocks)),
            key=lambda k: (abs(_count([blocks[k]]) - excess), -k),
        )
        if _count([blocks[best]]) > excess and blocks[best][0] != "step":
            blocks[best] = ("step", blocks[best][1], None)
        else:
            del blocks[best]
    return blocks


class _Builder:
    def __init__(self, rng: random.Random, long_labels: bool) -> None:
        self.rng = rng
        self.long = long_labels
        self.nodes: list[tuple[str, str, str, str, float | None, str | None, int]] = []
        self.edges: list[tuple[str, str, str]] = []
        self.pending: list[tuple[str, str]] = []
        self.last_step = ""
        self.used: set[str] = set()

    def _id(self) -> str:
        return f"n{len(self.nodes) + 1}"

    def _label(self, role: str, label: str | None) -> str:
        rng = self.rng
        if label is None:
            choices = [x for x in ROLE_STEPS[role] if x not in self.used] or list(ROLE_STEPS[role])
            label = rng.choice(choices)
            self.used.add(label)
            label += rng.choice(SUFFIXES)
        if self.long and rng.random() < 0.15:
            label = rng.choice(LONG_PREFIXES) + label
        return label

    def node(
        self, kind: str, label: str, role: str, days: float | None, risk: str | None, mats: int = 0
    ) -> str:
        nid = self._id()
        self.nodes.append((nid, kind, label, role, days, risk, mats))
        for src, lab in self.pending:
            self.edges.append((src, nid, lab))
        self.pending = [(nid, "")]
        return nid

    def step(self, role: str, label: str | None) -> str:
        rng = self.rng
        risk = None
        if rng.random() < 0.35:
            risk = rng.choices(("高", "中", "低"), (2, 4.5, 3.5))[0]
        days = float(rng.choice(DAYS[role]))
        mats = (
            rng.choice((0, 0, 0, 1, 2, 3, 5))
            if role in ("window", "party")
            else rng.choice((0, 0, 1))
        )
        nid = self.node("action", self._label(role, label), role, days, risk, mats)
        self.last_step = nid
        return nid

    def decision(self, role: str, key: str) -> tuple[str, str, str]:
        rng = self.rng
        question, on, out = rng.choice(QUESTIONS[key])
        days = 0.0 if rng.random() < 0.75 else float(rng.choice((1, 2, 3)))
        risk = "中" if rng.random() < 0.08 else None
        nid = self.node("decision", question, role, days, risk)
        return nid, on, out

    def blocks(self, blocks: list[Block]) -> None:
        for b in blocks:
            getattr(self, "_" + b[0])(*b[1:])

    def _step(self, role: str, label: str | None) -> None:
        self.step(role, label)

    def _exit(self, role: str, key: str, end_key: str) -> None:
        d, on, out = self.decision(role, key)
        end = self._id()
        self.nodes.append(
            (
                end,
                "end",
                self.rng.choice(END_LABELS.get(end_key, ("不予办理",))),
                role,
                None,
                None,
                0,
            )
        )
        self.edges.append((d, end, out))
        self.pending = [(d, on)]

    def _loop(self, role: str, key: str, fix_role: str, fix_label: str, back: str) -> None:
        target = self.last_step
        d, on, out = self.decision(role, key)
        if back == "self" or not target:
            target = d
        previous = self.last_step
        self.pending = [(d, out)]
        fix = self.step(fix_role, fix_label)
        self.edges.append((fix, target, self.rng.choice(("补正后", "重新提交", "整改后", ""))))
        self.last_step = previous
        self.pending = [(d, on)]

    def _branch(self, role: str, key: str, first: list[Block], second: list[Block]) -> None:
        d, on, out = self.decision(role, key)
        self.pending = [(d, on)]
        self.blocks(first)
        merged = self.pending
        self.pending = [(d, out)]
        self.blocks(second)
        self.pending = merged + self.pending

    def _option(self, role: str, key: str, steps: list[Block]) -> None:
        d, on, out = self.decision(role, key)
        # Questions are phrased so that `on` skips the optional part and `out` takes it.
        self.pending = [(d, out)]
        self.blocks(steps)
        self.pending = [*self.pending, (d, on)]

    def _parallel(self, role: str, branches: list[list[Block]]) -> None:
        s = self.node("split", self.rng.choice(("", "", "并行办理", "会签")), role, None, None)
        ends: list[tuple[str, str]] = []
        for br in branches:
            self.pending = [(s, "")]
            self.blocks(br)
            ends.extend(self.pending)
        self.pending = ends
        self.node("join", "", role, None, None)


def generate_one(seed: int, index: int = 0, *, steps: int | None = None) -> Graph:
    """One synthetic process; `steps` fixes the number of non-terminal steps (default 5–25)."""
    rng = random.Random(seed * 1_000_003 + index)
    kind = rng.choices([k for k, _w in KIND_WEIGHTS], [w for _k, w in KIND_WEIGHTS])[0]
    target = steps if steps is not None else rng.randint(5, 25)
    blocks = _fit(rng, SKELETONS[kind], target)
    b = _Builder(rng, long_labels=rng.random() < 0.3)
    start_role = blocks[0][1]
    start_label = (
        rng.choice(("开始", "提出申请", "收到事项", "启动")) if kind != "内部事务" else "收到来文"
    )
    b.node("start", start_label, start_role, None, None)
    b.blocks(blocks)
    role_of = {nd[0]: nd[3] for nd in b.nodes}
    end_role = role_of.get(b.pending[0][0], start_role) if b.pending else start_role
    b.node("end", rng.choice(("办结", "结束", "归档办结")), end_role, None, None)

    # Lanes: one per role, merged into at most 1–5 lanes, in organisational order.
    used = [nd[3] for nd in b.nodes]
    roles = sorted(set(used), key=ROLE_ORDER.index)
    lane_count = min(len(roles), rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5)))
    freq = {r: used.count(r) for r in roles}
    kept = sorted(
        sorted(roles, key=lambda r: (-freq[r], ROLE_ORDER.index(r)))[:lane_count],
        key=ROLE_ORDER.index,
    )
    lane_of = {
        r: min(
            kept,
            key=lambda k, r=r: (
                abs(ROLE_ORDER.index(k) - ROLE_ORDER.index(r)),
                ROLE_ORDER.index(k),
            ),
        )
        for r in roles
    }
    names: dict[str, str] = {}
    taken: set[str] = set()
    for r in kept:
        options = [x for x in ROLE_NAMES[r] if x not in taken]
        names[r] = rng.choice(options)
        taken.add(names[r])
    lanes = tuple(Lane(f"L{k + 1}", names[r]) for k, r in enumerate(kept))
    lane_id = {r: f"L{kept.index(r) + 1}" for r in kept}
    nodes = tuple(
        Node(nid, k, label, lane_id[lane_of[role]], days, risk, mats)  # type: ignore[arg-type]
        for nid, k, label, role, days, risk, mats in b.nodes
    )
    edges = tuple(Edge(s, t, lab) for s, t, lab in b.edges)
    title = rng.choice(MATTERS[kind]) + "流程图"
    graph = Graph(title, lanes, nodes, edges, None)
    if rng.random() < 0.85:
        days, _path = longest_path(graph)
        # Most processes keep within their statutory limit; some (as in real audits) do not.
        limit = float(max(1, round(days * rng.uniform(0.85, 1.6))))
        graph = Graph(title, lanes, nodes, edges, limit)
    return graph


def generate(seed: int, n: int) -> list[Graph]:
    """`n` synthetic processes of 5–25 steps each; process `i` is `generate_one(seed, i)`."""
    return [generate_one(seed, i) for i in range(n)]
