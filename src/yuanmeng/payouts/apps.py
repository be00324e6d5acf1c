from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "yuanmeng.payouts"
    verbose_name = _("Payouts")

    def ready(self):
        from yuanmeng.payouts import exports  # noqa: F401 (registers the app's list exports)
