from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "yuanmeng.jobs"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        # The import and export task handlers; each app registers its own import kinds and handlers in its ready().
        from yuanmeng.core.exports import export_background_register
        from yuanmeng.jobs import import_job  # noqa: F401
        from yuanmeng.jobs.export_job import export_queue

        export_background_register(export_queue)
