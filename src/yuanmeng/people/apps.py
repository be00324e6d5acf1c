from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "yuanmeng.people"
    verbose_name = _("Workers")

    def ready(self):
        from yuanmeng.people import exports, imports  # noqa: F401 (register the list exports, import kinds)
