from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "yuanmeng.surveys"
    verbose_name = _("Needs surveys")
