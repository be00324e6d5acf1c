from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "yuanmeng.demo"
    label = "demo"
