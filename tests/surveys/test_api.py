import datetime

from django.test import Client
from django.utils import timezone

from yuanmeng.orgs.roles import Role
from yuanmeng.surveys.models import Survey


def session(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    return client


def test_build_send_answer_read(tree, needs):
    union = session(needs.district)
    now = timezone.now()
    made = union.post("/api/surveys", {"organisation_id": tree.tianhe.pk, "title": "需求", "audience": "enterprises",
                                       "opens_at": (now - datetime.timedelta(hours=1)).isoformat(),
                                       "closes_at": (now + datetime.timedelta(days=3)).isoformat()},
                      content_type="application/json")
    assert made.status_code == 201, made.json()
    survey_id = made.json()["id"]
    question = union.post(f"/api/surveys/{survey_id}/questions", {"kind": "multiple", "text": "需要哪些培训",
                                                                  "options": ["电工", "焊接", "物流"]},
                          content_type="application/json").json()
    bad = union.post(f"/api/surveys/{survey_id}/send", {"target_ids": [tree.tianhe.pk]},
                     content_type="application/json")
    assert bad.status_code == 422 and "targets" in bad.json()["errors"]
    sent = union.post(f"/api/surveys/{survey_id}/send", {"target_ids": [tree.tianhe_firm.organisation.pk]},
                      content_type="application/json")
    assert sent.json()["recipient_count"] == 1

    officer = session(needs.officer)
    assert [s["id"] for s in officer.get("/api/surveys/to-answer").json()["items"]] == [survey_id]
    wrong = officer.post(f"/api/surveys/{survey_id}/responses",
                         {"answers": {str(question["id"]): [question["options"][0]["id"], 999999]}},
                         content_type="application/json")
    assert wrong.status_code == 422 and f"q{question['id']}" in wrong.json()["errors"]
    ok = officer.post(f"/api/surveys/{survey_id}/responses",
                      {"answers": {str(question["id"]): [question["options"][1]["id"]]}},
                      content_type="application/json")
    assert ok.status_code == 201
    twice = officer.post(f"/api/surveys/{survey_id}/responses",
                         {"answers": {str(question["id"]): [question["options"][1]["id"]]}},
                         content_type="application/json")
    assert twice.status_code == 422 and "survey" in twice.json()["errors"]

    results = union.get(f"/api/surveys/{survey_id}/results").json()
    assert [o["count"] for o in results[0]["options"]] == [0, 1, 0] and results[0]["options"][1]["percent"] == 100
    other = session(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert other.get(f"/api/surveys/{survey_id}").status_code == 404
    assert other.get(f"/api/surveys/{survey_id}/results").status_code == 404
    assert Survey.objects.get(pk=survey_id).response_count == 1


def test_answering_outside_the_window_names_it(needs):
    needs.send()
    Survey.objects.update(closes_at=timezone.now() - datetime.timedelta(minutes=1),
                          opens_at=timezone.now() - datetime.timedelta(days=1))
    closed = session(needs.worker.user).post(f"/api/surveys/{needs.survey.pk}/responses",
                                             {"answers": {}}, content_type="application/json")
    assert closed.status_code == 422 and "survey" in closed.json()["errors"]
