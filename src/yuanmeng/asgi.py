import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
application = get_asgi_application()

from yuanmeng.serving import ready_to_serve  # noqa: E402 (needs the apps loaded)

ready_to_serve()
