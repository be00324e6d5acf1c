from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "yuanmeng.jobs"
    verbose_name = _("Background tasks")

    def ready(self) -> None:
        from yuanmeng.applications import imports as application_imports  # noqa: F401 - import kinds
        from yuanmeng.jobs import import_job  # noqa: F401 - registers the job handlers
        from yuanmeng.people import imports  # noqa: F401 - registers the import kinds
        from yuanmeng.payouts import imports as payout_imports  # noqa: F401 - the bank result kind
