from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingOrdersConfig(AppConfig):
    name = "yuanmeng.training_orders"
    verbose_name = _("Training orders")

    def ready(self):
        from yuanmeng.training_orders import exports, imports  # noqa: F401  the list exports, the attendance import
