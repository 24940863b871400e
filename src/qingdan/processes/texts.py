"""Default wording for the parts of a process a template or a BPMN file only counts: the names of
办事材料 and the description and controls of 风险点. Users replace them in the editor."""

from __future__ import annotations

MATERIAL_NAMES = (
    "申请书",
    "申请人身份证明",
    "营业执照（法人登记证书）复印件",
    "经营（办公）场所使用证明",
    "有关资质、资格证明材料",
    "法定代表人授权委托书",
    "相关技术方案或说明材料",
    "现场核查记录",
    "专家评审意见",
    "缴款凭证",
    "送达回证",
    "相关部门意见",
)

RISK_TEXTS = (
    (
        "未一次性告知需补正的材料，故意拖延或刁难申请人",
        "实行一次性告知和首问负责制，办理过程全程留痕",
    ),
    (
        "对不符合条件的申请违规受理或降低审查标准",
        "落实审查标准公开和两人以上审查制度，定期抽查卷宗",
    ),
    ("利用职权索取、收受服务对象财物", "签订廉政承诺，设立投诉举报渠道，纪检监察机构全程监督"),
    ("超越职权或滥用自由裁量权作出决定", "执行裁量基准，重大事项集体讨论、法制审核"),
    ("未在规定时限内办结，久拖不决", "电子监察系统实时预警，超时自动督办"),
    ("泄露申请人商业秘密或个人信息", "落实保密制度，系统分级授权、操作留痕"),
)

DEFAULT_SUPERVISION = "纪检监察机构全程监督；电子监察系统实时监控办理时限；定期开展案卷评查。"
DEFAULT_COMPLAINT = "12345政务服务便民热线；本部门监督电话；纪检监察机构举报信箱。"
DEFAULT_RIGHTS = (
    "申请人（当事人）享有知情权、陈述权、申辩权，依法享有申请行政复议或提起行政诉讼的权利。"
)


def material_names(count: int, offset: int = 0) -> list[str]:
    """``count`` distinct material names (numbered past the list's end)."""
    n = len(MATERIAL_NAMES)
    names = [MATERIAL_NAMES[(offset + k) % n] for k in range(min(count, n))]
    names += [f"其他材料{k + 1}" for k in range(count - len(names))]
    return names


def risk_text(index: int) -> tuple[str, str]:
    return RISK_TEXTS[index % len(RISK_TEXTS)]
