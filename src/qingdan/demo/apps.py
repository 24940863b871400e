from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qingdan.demo"
    label = "demo"
