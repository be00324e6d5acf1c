from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """`yuanmeng backup` and `yuanmeng restore`: every app's tables and the uploads, checked with the audit trail."""

    name = "yuanmeng.backups"
