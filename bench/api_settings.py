"""Settings of the server bench/bench_api.py loads: the product's, with a URLconf that adds the bare reference."""

from yuanmeng.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
