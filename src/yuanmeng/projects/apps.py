from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "yuanmeng.projects"
    verbose_name = _("Education and skills projects")

    def ready(self):
        from yuanmeng.projects import exports  # noqa: F401 (registers the app's list exports)
