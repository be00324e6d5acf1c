"""A server process's start (``yuanmeng.serving``, run by wsgi.py and asgi.py)."""

import gc

import pytest
from django.urls import clear_url_caches, get_resolver

from yuanmeng.serving import ready_to_serve

pytestmark = pytest.mark.django_db


def test_a_server_starts_with_its_urls_loaded_and_what_it_holds_frozen_out_of_the_collector():
    clear_url_caches()
    assert "url_patterns" not in get_resolver().__dict__
    try:
        ready_to_serve()
        assert "url_patterns" in get_resolver().__dict__
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
