"""The demo shows the application's own 404/403/500 pages in Chinese and English, not Django's technical ones."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def _settings_debug(**env) -> str:
    code = "import yuanmeng.settings as s; print(s.DEBUG, s.DEVELOPMENT, s.ALLOWED_HOSTS[-2])"
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_the_demo_settings_turn_the_technical_pages_off_and_allow_its_host():
    demo = _settings_debug(YUANMENG_TECHNICAL_ERRORS="0", YUANMENG_ALLOWED_HOSTS="127.0.0.1,localhost,*")
    assert demo == "False True *"


def test_technical_pages_refuse_a_host_outside_this_machine():
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _settings_debug(YUANMENG_TECHNICAL_ERRORS="1", YUANMENG_ALLOWED_HOSTS="192.168.1.5")
    assert "YUANMENG_TECHNICAL_ERRORS=0" in refused.value.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "title"), [("zh-hans", "页面不存在"), ("en", "Not found")])
def test_an_unknown_url_answers_the_real_404_page(client, settings, language, title):
    settings.DEBUG = False
    answer = client.get("/no-such-page/", headers={"accept-language": language})
    assert answer.status_code == 404
    assert [t.name for t in answer.templates][0] == "404.html"
    assert f"<h1>{title}</h1>" in answer.text and "urlpatterns" not in answer.text


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "服务器出错"), ("en", "Server error")])
def test_the_500_page_renders_without_the_database(language, title):
    with translation.override(language):
        answer = server_error(RequestFactory().get("/"))  # no database access is allowed in this test
    assert answer.status_code == 500
    assert f"<h1>{title}</h1>" in answer.content.decode()
