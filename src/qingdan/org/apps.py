from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "qingdan.org"
    label = "org"
    verbose_name = "机构编制"
