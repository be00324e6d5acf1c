from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yuanmeng.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from yuanmeng.audit import checks, exports  # noqa: F401 (registers the keys check and the list exports)
