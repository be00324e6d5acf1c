from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "yuanmeng.policies"
    verbose_name = _("Policies")

    def ready(self):
        from yuanmeng.policies import exports  # noqa: F401 (registers the app's list exports)
