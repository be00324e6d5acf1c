"""A search by name is a prefix in any case, the same on SQLite and PostgreSQL (a LIKE is case-insensitive for
ASCII on SQLite only): "aili" finds "Aili Maimaiti" on both."""

import pytest

from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(tree, login):
    return login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))


def _found(client, term: str) -> list[int]:
    return [w["id"] for w in client.get("/api/workers", {"q": term}).json()["items"]]


def test_latin_name_search_same_on_both_databases(tree, reviewer):
    worker = tree.member(name="Aili Maimaiti")
    assert _found(reviewer, "aili") == [worker.pk]
    assert _found(reviewer, "AILI") == [worker.pk]


def test_a_chinese_surname_still_finds_its_workers(tree, reviewer):
    worker = tree.member(name="王小明")
    assert _found(reviewer, "王") == [worker.pk]


def test_a_term_in_the_middle_of_a_name_finds_nobody(tree, reviewer):
    tree.member(name="Aili Maimaiti")
    tree.member(name="王小明")
    assert _found(reviewer, "maimaiti") == []
    assert _found(reviewer, "小明") == []
