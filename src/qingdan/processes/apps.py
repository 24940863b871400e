from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "qingdan.processes"
    label = "processes"
    verbose_name = "流程"
