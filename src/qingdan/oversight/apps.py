from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "qingdan.oversight"
    label = "oversight"
    verbose_name = "审核与监督"
