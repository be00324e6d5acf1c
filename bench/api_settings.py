"""Settings of the server bench/bench_api.py loads: the product's, with a URLconf that adds the bare reference."""

from yuanmeng.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"

# On PostgreSQL the server keeps its connections (the product closes one after 60 s, between requests): a backend
# that ended during a case would take its processor time with it from bench_api.CPUTime's count.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = None  # noqa: F405
