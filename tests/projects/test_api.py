from django.test import Client

from yuanmeng.orgs.roles import Role


def session(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    return client


def test_register_move_and_name(tree):
    district = session(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    body = {"lead_id": tree.tianhe.pk, "name": "焊工培养", "kind": "apprenticeship", "starts_on": "2026-04-01",
            "ends_on": "2026-10-01", "partner_ids": [tree.school.pk]}
    bad = district.post("/api/projects", body | {"ends_on": "2026-01-01"}, content_type="application/json")
    assert bad.status_code == 422 and "ends_on" in bad.json()["errors"]
    made = district.post("/api/projects", body, content_type="application/json")
    assert made.status_code == 201
    pk = made.json()["id"]
    assert district.post(f"/api/projects/{pk}/finish").status_code == 422
    assert district.post(f"/api/projects/{pk}/start").json()["status"] == "running"
    worker = tree.worker()
    added = district.post(f"/api/projects/{pk}/participants", {"worker_ids": [worker.pk]},
                          content_type="application/json")
    assert added.json() == {"added": 1}
    assert district.get(f"/api/projects/{pk}").json()["named_participants"] == 1
    assert district.get("/api/projects").json()["count"] == 1
    other = session(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert other.get(f"/api/projects/{pk}").status_code == 404
    assert other.patch(f"/api/projects/{pk}", {"name": "x"}, content_type="application/json").status_code == 404
