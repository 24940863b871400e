from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "qingdan.portal"
    label = "portal"
