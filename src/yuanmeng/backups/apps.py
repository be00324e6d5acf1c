from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """`yuanmeng backup`, `yuanmeng restore` and `yuanmeng rotate_keys`: operations on every app's tables (and the
    uploads), recorded in and checked with the audit trail."""

    name = "yuanmeng.backups"
