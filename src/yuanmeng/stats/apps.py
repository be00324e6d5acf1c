from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "yuanmeng.stats"
    verbose_name = _("Statistics")

    def ready(self):
        from yuanmeng.stats import jobs  # noqa: F401  (the refresh's task handler)
