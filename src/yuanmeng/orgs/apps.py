from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "yuanmeng.orgs"
    verbose_name = _("Organisations")

    def ready(self):
        from yuanmeng.orgs import exports  # noqa: F401 (registers the app's list exports)
