from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "qingdan.documents"
    label = "documents"
    verbose_name = "文档与统计"
