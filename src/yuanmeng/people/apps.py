from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "yuanmeng.people"
    verbose_name = _("Workers")

    def ready(self):
        from yuanmeng.people import exports  # noqa: F401 (registers the app's list exports)
