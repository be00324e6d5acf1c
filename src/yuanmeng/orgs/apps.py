from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yuanmeng.orgs"
    verbose_name = _("Organisations")

    def ready(self):
        from yuanmeng.core.access import access_rules_register
        from yuanmeng.orgs import exports  # noqa: F401 (registers the app's list exports)
        from yuanmeng.orgs.scoping import ACCESS_RULES

        access_rules_register(ACCESS_RULES)
