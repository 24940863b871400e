from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qingdan.core"
    label = "core"
    verbose_name = "系统"
