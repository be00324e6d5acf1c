from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "yuanmeng.projects"
    verbose_name = _("Education and skills projects")
