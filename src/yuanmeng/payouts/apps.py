from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "yuanmeng.payouts"
    verbose_name = _("Payouts")

    def ready(self):
        from django.db.backends.signals import connection_created

        # the list exports, the bank results' import kind and the payment file's task handler
        from yuanmeng.payouts import exports, imports, jobs  # noqa: F401
        from yuanmeng.payouts.lottery import add_sqlite_sha256

        connection_created.connect(add_sqlite_sha256, dispatch_uid="yuanmeng_sqlite_sha256")
