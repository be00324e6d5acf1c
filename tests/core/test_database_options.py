"""PostgreSQL session settings are added to those DATABASE_URL gives, not put in their place."""

import dj_database_url

from yuanmeng.settings import add_session_options


def test_the_session_options_follow_those_of_the_database_url():
    database = dj_database_url.parse("postgres://ym@db:5432/ym?options=-c%20search_path%3Dyuanmeng")
    add_session_options(database, "-c join_collapse_limit=12")
    assert database["OPTIONS"]["options"] == "-c search_path=yuanmeng -c join_collapse_limit=12"


def test_without_options_in_the_url_only_the_session_options():
    database = dj_database_url.parse("postgres://ym@db:5432/ym")
    add_session_options(database, "-c join_collapse_limit=12")
    assert database["OPTIONS"]["options"] == "-c join_collapse_limit=12"
