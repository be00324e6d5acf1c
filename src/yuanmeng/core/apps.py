from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yuanmeng.core"

    def ready(self):
        # django.contrib.admin, the first app, has imported every admin module in its ready()
        from yuanmeng.core.admin import superusers_only_outside

        superusers_only_outside(self.name.partition(".")[0])
