"""Pages, API answers and downloads for a logged-in user or an API token are never stored by a browser or proxy."""

import pytest
from django.test import Client

from yuanmeng.accounts.services import api_token_issue
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "") and "private" in response["Cache-Control"]


def test_pages_exports_and_documents_of_a_logged_in_user_are_not_stored(tree, people, policy, login):
    document = tree.apply(people.worker, policy).documents.get()
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    for url in ("/", "/workers/", f"/workers/{people.worker.pk}/", "/exports/workers/",
                f"/applications/documents/{document.pk}/", "/api/workers"):
        response = client.get(url)
        assert response.status_code == 200 and no_store(response), url


def test_api_answers_to_a_token_are_not_stored(tree):
    _token, secret = api_token_issue(by=tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe), name="省平台")
    response = Client().get("/api/workers", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and no_store(response)

