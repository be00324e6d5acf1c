import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
application = get_wsgi_application()

from yuanmeng.audit.checks import refuse_unreadable_data  # noqa: E402 (needs the apps loaded)

refuse_unreadable_data()
