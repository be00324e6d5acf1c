from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "yuanmeng.applications"
    verbose_name = _("Applications")

    def ready(self):
        # register the list exports, import kinds, the bulk decision task
        from yuanmeng.applications import exports, imports, jobs  # noqa: F401
