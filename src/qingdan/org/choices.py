from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWN = "town", "乡镇级"


class DepartmentKind(models.TextChoices):
    PARTY = "party", "党委工作机关"
    DISCIPLINE = "discipline", "纪委监委"
    CONGRESS = "congress", "人大机关"
    GOVERNMENT = "government", "政府工作部门"
    CPPCC = "cppcc", "政协机关"
    JUDICIAL = "judicial", "审判/检察机关"
    MASS = "mass", "民主党派/群团"
    INSTITUTION = "institution", "事业单位"
    ADMINISTERED = "administered", "部门管理机构"
    TOWN = "town", "乡镇（街道）"


class Rank(models.TextChoices):
    """规格 (administrative rank) of a department or unit."""

    MINISTER = "zhengbu", "正部级"
    VICE_MINISTER = "fubu", "副部级"
    BUREAU = "zhengting", "正厅级"
    VICE_BUREAU = "futing", "副厅级"
    DIVISION = "zhengchu", "正处级"
    VICE_DIVISION = "fuchu", "副处级"
    SECTION = "zhengke", "正科级"
    VICE_SECTION = "fuke", "副科级"
    STOCK = "gu", "股级"


class ParentRelation(models.TextChoices):
    """How a department hangs under another (政事关系, seed 002)."""

    SUBORDINATE = "subordinate", "下属单位"
    ENTRUSTED = "entrusted", "代管"
    MANAGED = "managed", "部门管理"


class Status(models.TextChoices):
    ACTIVE = "active", "在用"
    ABOLISHED = "abolished", "撤销"


class PositionCategory(models.TextChoices):
    LEADERSHIP = "leadership", "领导"
    GENERAL = "general", "综合"
    BUSINESS = "business", "业务"
    ENFORCEMENT = "enforcement", "执法"
    TECHNICAL = "technical", "技术"


class LeaderLevel(models.TextChoices):
    """Which 领导职数 a leadership position draws on."""

    NONE = "", "非领导职务"
    DEPT_PRINCIPAL = "dept_principal", "部门正职"
    DEPT_DEPUTY = "dept_deputy", "部门副职"
    UNIT_PRINCIPAL = "unit_principal", "内设机构正职"
    UNIT_DEPUTY = "unit_deputy", "内设机构副职"


class RiskLevel(models.TextChoices):
    NONE = "", "未评定"
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class StaffingType(models.TextChoices):
    ADMINISTRATIVE = "administrative", "行政编制"
    INSTITUTION = "institution", "事业编制"
    LOGISTICS = "logistics", "工勤编制"


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    DOCTORATE = "doctorate", "博士研究生"
    MASTER = "master", "硕士研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    SECONDARY = "secondary", "中专及以下"


class Grade(models.TextChoices):
    """职务职级 (civil-service post and rank), the common ones."""

    BUREAU_PRINCIPAL = "tj_zz", "厅局级正职"
    BUREAU_DEPUTY = "tj_fz", "厅局级副职"
    DIVISION_PRINCIPAL = "xc_zz", "县处级正职"
    DIVISION_DEPUTY = "xc_fz", "县处级副职"
    SECTION_PRINCIPAL = "xk_zz", "乡科级正职"
    SECTION_DEPUTY = "xk_fz", "乡科级副职"
    INSPECTOR_1 = "xsy1", "一级巡视员"
    INSPECTOR_2 = "xsy2", "二级巡视员"
    RESEARCHER_1 = "dyy1", "一级调研员"
    RESEARCHER_2 = "dyy2", "二级调研员"
    RESEARCHER_3 = "dyy3", "三级调研员"
    RESEARCHER_4 = "dyy4", "四级调研员"
    PRINCIPAL_CLERK_1 = "zrky1", "一级主任科员"
    PRINCIPAL_CLERK_2 = "zrky2", "二级主任科员"
    PRINCIPAL_CLERK_3 = "zrky3", "三级主任科员"
    PRINCIPAL_CLERK_4 = "zrky4", "四级主任科员"
    CLERK_1 = "ky1", "一级科员"
    CLERK_2 = "ky2", "二级科员"
    PROFESSIONAL = "zyjs", "专业技术岗位"
    MANAGEMENT = "glgw", "管理岗位"
    WORKER = "gqjn", "工勤技能岗位"


class PersonStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    LEFT = "left", "调离"
    RETIRED = "retired", "退休"


class AssignmentKind(models.TextChoices):
    PRIMARY = "primary", "主要任职"
    CONCURRENT = "concurrent", "兼职"
