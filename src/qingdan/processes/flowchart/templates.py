"""Process templates by power type (按权力类型的流程模板), as data.

A department starts its 一事一流程 from the template for the power's type and edits it. Time
limits follow the usual statutory frame (行政许可法: 受理5日, 决定20日, 送达10日; 行政处罚法:
立案之日起90日内作出决定) and add up along the longest path to no more than `legal_limit_days`,
so every template passes `validate()`.
"""

from __future__ import annotations

from .model import Edge, Graph, Lane, Node

# node rows: (id, kind, label, lane, days, risk, materials)
_T = dict[str, object]

TEMPLATES: dict[str, _T] = {
    "行政许可": {
        "title": "行政许可事项办理流程图",
        "legal_limit_days": 35,
        "lanes": [
            ("applicant", "申请人"),
            ("window", "受理窗口"),
            ("approval", "审批科室"),
            ("leader", "分管领导"),
        ],
        "nodes": [
            ("start", "start", "申请人提出申请", "applicant", None, None, 0),
            ("accept", "action", "接收申请材料", "window", 5, "中", 3),
            ("scope", "decision", "是否属于本机关职权范围", "window", 0, None, 0),
            ("reject", "end", "出具不予受理决定书", "window", None, None, 0),
            ("complete", "decision", "材料是否齐全、符合法定形式", "window", 0, None, 0),
            ("correct", "action", "一次性告知需要补正的全部内容", "window", 0, "低", 0),
            ("review", "action", "审查申请材料，必要时现场核查", "approval", 10, "高", 0),
            ("decide", "action", "作出许可决定", "leader", 5, "高", 0),
            ("grant", "decision", "是否准予许可", "leader", 0, None, 0),
            ("deliver", "action", "制作并送达许可证件", "window", 10, "低", 1),
            (
                "refuse",
                "action",
                "书面说明不予许可理由，告知复议、诉讼权利",
                "approval",
                10,
                None,
                1,
            ),
            ("supervise", "action", "纳入事后监管，开展监督检查", "approval", 5, "中", 0),
            ("end", "end", "办结", "window", None, None, 0),
            ("end_refuse", "end", "办结（不予许可）", "approval", None, None, 0),
        ],
        "edges": [
            ("start", "accept", ""),
            ("accept", "scope", ""),
            ("scope", "complete", "是"),
            ("scope", "reject", "否"),
            ("complete", "review", "齐全"),
            ("complete", "correct", "需补正"),
            ("correct", "accept", "补正后重新提交"),
            ("review", "decide", ""),
            ("decide", "grant", ""),
            ("grant", "deliver", "准予"),
            ("grant", "refuse", "不予许可"),
            ("deliver", "supervise", ""),
            ("supervise", "end", ""),
            ("refuse", "end_refuse", ""),
        ],
    },
    "行政处罚一般程序": {
        "title": "行政处罚（一般程序）流程图",
        "legal_limit_days": 90,
        "lanes": [
            ("case", "案件承办科室"),
            ("legal", "法制审核机构"),
            ("leader", "分管领导"),
            ("head", "主要负责人"),
        ],
        "nodes": [
            ("start", "start", "发现违法线索", "case", None, None, 0),
            ("check", "action", "核查线索，提出立案建议", "case", 5, "低", 0),
            ("file", "decision", "是否符合立案条件", "leader", 0, "中", 0),
            ("no_case", "end", "不予立案", "leader", None, None, 0),
            ("investigate", "action", "调查取证（执法人员不少于两人）", "case", 30, "高", 2),
            ("review", "action", "法制审核", "legal", 7, "中", 0),
            ("notify", "action", "告知拟处罚内容及陈述、申辩、听证权利", "case", 3, "低", 1),
            ("ask", "decision", "当事人是否要求听证", "case", 0, None, 0),
            ("hearing", "action", "组织听证", "legal", 10, "中", 1),
            ("defend", "action", "听取陈述、申辩并复核", "case", 3, None, 0),
            ("major", "decision", "是否属于重大案件", "leader", 0, None, 0),
            ("collective", "action", "负责人集体讨论决定", "head", 5, "高", 0),
            ("decide", "action", "作出行政处罚决定", "leader", 5, "高", 0),
            ("deliver", "action", "送达行政处罚决定书", "case", 7, "低", 1),
            ("execute", "action", "执行（缴纳罚款或申请强制执行）", "case", 15, "中", 0),
            ("close", "action", "结案归档", "case", 3, None, 0),
            ("end", "end", "结束", "case", None, None, 0),
        ],
        "edges": [
            ("start", "check", ""),
            ("check", "file", ""),
            ("file", "investigate", "符合"),
            ("file", "no_case", "不符合"),
            ("investigate", "review", ""),
            ("review", "notify", ""),
            ("notify", "ask", ""),
            ("ask", "hearing", "要求听证"),
            ("ask", "defend", "不要求"),
            ("hearing", "major", ""),
            ("defend", "major", ""),
            ("major", "collective", "是"),
            ("major", "decide", "否"),
            ("collective", "decide", ""),
            ("decide", "deliver", ""),
            ("deliver", "execute", ""),
            ("execute", "close", ""),
            ("close", "end", ""),
        ],
    },
    "行政处罚简易程序": {
        "title": "行政处罚（简易程序）流程图",
        "legal_limit_days": 3,
        "lanes": [("officer", "执法人员"), ("agency", "执法机构")],
        "nodes": [
            ("start", "start", "发现违法行为（事实确凿、有法定依据）", "officer", None, None, 0),
            ("show", "action", "出示执法证件，表明身份", "officer", 0, None, 0),
            ("tell", "action", "告知违法事实、处罚理由和依据", "officer", 0, None, 0),
            ("listen", "action", "听取当事人陈述、申辩", "officer", 0, "低", 0),
            ("valid", "decision", "申辩理由是否成立", "officer", 0, None, 0),
            ("drop", "end", "不予处罚或调整处罚", "officer", None, None, 0),
            ("decide", "action", "填写预定格式处罚决定书，当场交付", "officer", 0, "中", 1),
            ("pay", "decision", "是否当场缴纳罚款", "officer", 0, None, 0),
            ("collect", "action", "当场收缴罚款，出具专用票据", "officer", 0, "高", 0),
            ("bank", "action", "告知到指定银行缴纳", "officer", 0, None, 0),
            ("report", "action", "报所属行政机关备案", "agency", 2, None, 1),
            ("end", "end", "结案", "agency", None, None, 0),
        ],
        "edges": [
            ("start", "show", ""),
            ("show", "tell", ""),
            ("tell", "listen", ""),
            ("listen", "valid", ""),
            ("valid", "decide", "不成立"),
            ("valid", "drop", "成立"),
            ("decide", "pay", ""),
            ("pay", "collect", "是"),
            ("pay", "bank", "否"),
            ("collect", "report", ""),
            ("bank", "report", ""),
            ("report", "end", ""),
        ],
    },
    "行政征收": {
        "title": "行政征收事项办理流程图",
        "legal_limit_days": 30,
        "lanes": [
            ("window", "受理窗口"),
            ("biz", "业务科室"),
            ("finance", "财务科"),
            ("leader", "分管领导"),
        ],
        "nodes": [
            ("start", "start", "缴费义务人申报", "window", None, None, 0),
            ("accept", "action", "受理申报材料", "window", 1, "低", 2),
            ("assess", "action", "核定征收对象及计征依据", "biz", 5, "中", 0),
            ("calc", "action", "计算应征金额，出具核定意见", "biz", 3, "高", 0),
            ("approve", "action", "审核签批", "leader", 2, "中", 0),
            ("relief", "decision", "是否申请减免缓", "biz", 0, None, 0),
            ("relieve", "action", "按规定审核减免缓申请", "biz", 10, "高", 1),
            ("notice", "action", "开具缴款通知书", "window", 1, None, 0),
            ("paid", "decision", "是否按期足额缴纳", "finance", 0, None, 0),
            ("urge", "action", "依法催缴，加收滞纳金", "biz", 5, "中", 0),
            ("receipt", "action", "开具票据，资金缴入国库", "finance", 2, "低", 0),
            ("end", "end", "办结", "finance", None, None, 0),
        ],
        "edges": [
            ("start", "accept", ""),
            ("accept", "assess", ""),
            ("assess", "calc", ""),
            ("calc", "approve", ""),
            ("approve", "relief", ""),
            ("relief", "relieve", "申请"),
            ("relief", "notice", "不申请"),
            ("relieve", "notice", ""),
            ("notice", "paid", ""),
            ("paid", "receipt", "是"),
            ("paid", "urge", "否"),
            ("urge", "paid", "催缴后"),
            ("receipt", "end", ""),
        ],
    },
    "内部事务": {
        "title": "公文办理流程图",
        "legal_limit_days": 20,
        "lanes": [
            ("office", "办公室"),
            ("dept", "承办科室"),
            ("legal", "政策法规科"),
            ("leader", "分管领导"),
            ("head", "局长"),
        ],
        "nodes": [
            ("start", "start", "收到来文", "office", None, None, 0),
            ("register", "action", "签收登记", "office", 0.5, None, 0),
            ("propose", "action", "提出拟办意见", "office", 1, None, 0),
            ("need", "decision", "是否需领导批示", "office", 0, None, 0),
            ("instruct", "action", "局领导批示", "head", 2, "中", 0),
            ("handle", "action", "承办科室办理，起草复文", "dept", 5, None, 0),
            ("split", "split", "会签", "dept", None, None, 0),
            ("legal_check", "action", "合法性审核", "legal", 2, "中", 0),
            ("verify", "action", "核对数据与附件", "dept", 1, None, 0),
            ("join", "join", "", "dept", None, None, 0),
            ("proof", "action", "办公室核稿", "office", 1, None, 0),
            ("approve", "action", "分管领导审核", "leader", 1, "中", 0),
            ("sign", "action", "局长签发", "head", 1, "高", 0),
            ("print", "action", "印制、分发", "office", 1, None, 0),
            ("archive", "action", "立卷归档", "office", 1, None, 0),
            ("end", "end", "办结", "office", None, None, 0),
        ],
        "edges": [
            ("start", "register", ""),
            ("register", "propose", ""),
            ("propose", "need", ""),
            ("need", "instruct", "需要"),
            ("need", "handle", "不需要"),
            ("instruct", "handle", ""),
            ("handle", "split", ""),
            ("split", "legal_check", ""),
            ("split", "verify", ""),
            ("legal_check", "join", ""),
            ("verify", "join", ""),
            ("join", "proof", ""),
            ("proof", "approve", ""),
            ("approve", "sign", ""),
            ("sign", "print", ""),
            ("print", "archive", ""),
            ("archive", "end", ""),
        ],
    },
}

TEMPLATE_KINDS: tuple[str, ...] = tuple(TEMPLATES)


def template(kind: str, *, title: str | None = None) -> Graph:
    """The template graph for a power type (one of `TEMPLATE_KINDS`); KeyError if unknown."""
    data = TEMPLATES[kind]
    lanes = [Lane(lid, name) for lid, name in data["lanes"]]  # type: ignore[union-attr]
    nodes = [
        Node(nid, k, label, lane, None if days is None else float(days), risk, mats)
        for nid, k, label, lane, days, risk, mats in data["nodes"]  # type: ignore[union-attr]
    ]
    edges = [Edge(a, b, label) for a, b, label in data["edges"]]  # type: ignore[union-attr]
    limit = data["legal_limit_days"]
    return Graph(
        title or str(data["title"]),
        tuple(lanes),
        tuple(nodes),
        tuple(edges),
        None if limit is None else float(limit),  # type: ignore[arg-type]
    )
