from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "qingdan.api"
    label = "api"
