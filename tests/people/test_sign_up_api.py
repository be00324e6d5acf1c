"""The sign-up API (no log-in) and the enterprise union's members-to-confirm API."""

import pytest

from tests.builders import PASSWORD, id_number, mobile
from tests.people.test_sign_up import sent_code
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import MembershipState, Worker


def _sign_up(client, tree, number, **fields):
    body = {"name": "王芳", "id_number": id_number(), "mobile": number, "code": sent_code(number),
            "password": PASSWORD, "job_category": "service", "credit_code": tree.tianhe_firm.credit_code, **fields}
    return client.post("/api/workers/sign-up", body, content_type="application/json")


@pytest.fixture
def signed_up(client, tree):
    number = mobile()
    assert client.post("/api/workers/sign-up/code", {"mobile": number},
                       content_type="application/json").status_code == 202
    answer = _sign_up(client, tree, number)
    assert answer.status_code == 201, answer.content
    assert answer.json()["membership"] == MembershipState.PENDING
    return Worker.objects.get(pk=answer.json()["id"])


def test_a_worker_signs_up_through_the_api(signed_up, tree):
    assert signed_up.employer == tree.tianhe_firm and signed_up.user is not None


def test_bad_input_and_a_registered_number_answer_422_by_field(client, tree):
    answer = client.post("/api/workers/sign-up/code", {"mobile": "12345"}, content_type="application/json")
    assert answer.status_code == 422 and "mobile" in answer.json()["errors"]
    number = mobile()
    client.post("/api/workers/sign-up/code", {"mobile": number}, content_type="application/json")
    answer = _sign_up(client, tree, number, id_number=tree.worker().id_number)
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["id_number"]


def test_the_officer_lists_and_confirms_and_a_stranger_gets_404(client, tree, signed_up, login):
    stranger = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    login(stranger)
    assert client.get("/api/workers/members-to-confirm").json()["count"] == 0
    assert client.post(f"/api/workers/{signed_up.pk}/confirm", {}, content_type="application/json").status_code == 404
    login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    listed = client.get("/api/workers/members-to-confirm").json()
    assert [m["id"] for m in listed["items"]] == [signed_up.pk] and "*" in listed["items"][0]["id_number"]
    answer = client.post(f"/api/workers/{signed_up.pk}/confirm", {}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["union_member_since"]
    again = client.post(f"/api/workers/{signed_up.pk}/decline", {"reason": "不是本企业职工"},
                        content_type="application/json")
    assert again.status_code == 422
