from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "qingdan.duties"
    label = "duties"
    verbose_name = "履职清单"
