from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "yuanmeng.jobs"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        # The job handlers, and the import kinds of each app (each registers itself when imported).
        from yuanmeng.applications import imports as application_imports  # noqa: F401
        from yuanmeng.jobs import export_job, import_job  # noqa: F401
        from yuanmeng.payouts import imports as payout_imports  # noqa: F401
        from yuanmeng.payouts import jobs as payout_jobs  # noqa: F401
        from yuanmeng.people import imports  # noqa: F401
