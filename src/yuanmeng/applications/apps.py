from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "yuanmeng.applications"
    verbose_name = _("Applications")

    def ready(self):
        from yuanmeng.applications import exports, imports  # noqa: F401 (register the list exports, import kinds)
