"""What keeps the API near its ceiling (bench/bench_api.py): a token's use is written at most once a minute, and
the endpoints the benchmark loads run a pinned number of queries with a token, as a provincial platform calls them
(the session's counts are in tests/web/test_query_counts.py)."""

import datetime
import json
import os
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tests.builders import id_number, mobile
from yuanmeng.accounts.models import ApiToken
from yuanmeng.accounts.services import api_token_issue
from yuanmeng.applications.models import Application
from yuanmeng.applications.services import application_transition
from yuanmeng.applications.workflow import Action
from yuanmeng.core.api import JSONRenderer
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import membership_grant
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import Policy

pytestmark = pytest.mark.django_db


def token_client(user) -> tuple[Client, ApiToken]:
    token, secret = api_token_issue(by=user, name="provincial platform")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}"), token


def updates_of_tokens(queries) -> int:
    return sum(q["sql"].startswith('UPDATE "accounts_apitoken"') for q in queries)


def test_a_token_used_twice_within_a_minute_is_written_once_and_again_a_minute_later(tree):
    client, token = token_client(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    first = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=first):
        with CaptureQueriesContext(connection) as used:
            assert client.get("/api/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first and updates_of_tokens(used) == 1

    with mock.patch("django.utils.timezone.now", return_value=first + datetime.timedelta(seconds=59)):
        with CaptureQueriesContext(connection) as again:
            assert client.get("/api/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first and updates_of_tokens(again) == 0  # a read writes nothing

    later = first + datetime.timedelta(seconds=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get("/api/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == later


def test_a_stale_read_of_the_token_does_not_write_twice(tree):
    """Two calls that both read the token before either wrote (two server processes): the UPDATE is conditional,
    so the second finds the minute's use already recorded."""
    from yuanmeng.accounts.services import api_token_used

    _client, token = token_client(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        api_token_used(token_id=token.pk, last_used_at=None)
    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(seconds=1)):
        api_token_used(token_id=token.pk, last_used_at=None)
    token.refresh_from_db()
    assert token.last_used_at == now


def test_a_revoked_token_or_a_deactivated_holder_is_refused(tree):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    client, token = token_client(reviewer)
    assert client.get("/api/me").status_code == 200
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    assert client.get("/api/me").status_code == 401
    reviewer.is_active = True
    reviewer.save(update_fields=["is_active"])
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get("/api/me").status_code == 401


def test_the_token_query_brings_every_role_of_an_active_organisation(tree):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    membership_grant(by=tree.root_user, user=reviewer, organisation=tree.haizhu, role=Role.DISTRICT_REVIEWER)
    client, _token = token_client(reviewer)
    roles = {r["organisation_id"] for r in client.get("/api/me").json()["roles"]}
    assert roles == {tree.tianhe.pk, tree.haizhu.pk}
    Organisation.objects.filter(pk=tree.haizhu.pk).update(is_active=False)
    assert {r["organisation_id"] for r in client.get("/api/me").json()["roles"]} == {tree.tianhe.pk}
    superuser = tree.root_user
    client, _token = token_client(superuser)
    assert client.get("/api/me").json()["roles"] == []


# (request, role, queries) with a token used within the minute: the token with its holder and the holder's roles
# (one query), then the endpoint's own. Each is asked for once before counting (the first call of the minute writes
# last_used_at).
TOKEN_QUERIES = [
    # the page, with its count of at most PAGE_COUNT_CAP + 1 rows in the same query
    ("GET", "/api/applications?state=confirmed", "district", 2),
    # the application with what it shows joined, and its policy's top-ups, history and documents as JSON
    ("GET", "/api/applications/{application}", "district", 2),
    # the employer in scope; BEGIN, the INSERT (no savepoint of its own; the unique index refuses a taken identity
    # number), the audit chain's head (locked), entry and new head (one statement on PostgreSQL), COMMIT
    ("POST", "/api/workers", "enterprise", 7 if connection.vendor == "postgresql" else 8),
]


@pytest.mark.parametrize(("method", "url", "role", "queries"), TOKEN_QUERIES,
                         ids=[f"{m} {u} {r}" for m, u, r, _q in TOKEN_QUERIES])
def test_the_loaded_endpoints_run_their_pinned_queries_with_a_token(tree, people, method, url, role, queries,
                                                                     django_assert_num_queries):
    application = tree.apply(people.worker, tree.policy())
    application_transition(by=people.enterprise, application=application, action=Action.CONFIRM)
    client, _token = token_client(people.by_actor()[role])
    url = url.format(application=application.pk)

    def call():
        if method == "GET":
            response = client.get(url)
        else:
            payload = {"name": "孙丽", "id_number": id_number(birth="19950505"), "mobile": mobile(),
                       "employer_id": tree.tianhe_firm.pk, "job_category": "service"}
            response = client.post(url, payload, content_type="application/json")
        assert response.status_code in (200, 201), response.content

    call()
    with django_assert_num_queries(queries):
        call()


def test_answers_are_json_in_utf8_with_moments_to_the_microsecond(tree, people):
    """The API's renderer (pydantic's core): Chinese as itself, a moment in ISO 8601 with its microseconds and ``Z``,
    a lazy translation as its text, as ``json.dumps`` with ninja's encoder gave them but for the escapes and the
    last three digits."""
    moment = datetime.datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=datetime.UTC)
    lazy = gettext_lazy("Applications")
    body = JSONRenderer().render(None, {"name": "求学圆梦", "at": moment, "on": moment.date(), "why": lazy},
                                 response_status=200)
    assert body.decode() == f'{{"name":"求学圆梦","at":"2026-03-01T08:30:15.123456Z","on":"2026-03-01","why":"{lazy}"}}'
    lone_surrogate = JSONRenderer().render(None, {"name": "\ud800"}, response_status=200)  # as json.dumps writes it
    assert json.loads(lone_surrogate) == {"name": "\ud800"}
    application = tree.apply(people.worker, tree.policy())
    client, _token = token_client(people.district)
    answer = client.get(f"/api/applications/{application.pk}")
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert people.worker.name.encode() in answer.content
    assert answer.json()["submitted_at"] == application.submitted_at.isoformat().replace("+00:00", "Z")


def test_a_list_counts_up_to_the_cap_and_says_there_are_more(tree, people, settings):
    policy = tree.policy()
    for _ in range(3):
        tree.apply(tree.member(), policy)
    client, _token = token_client(people.district)
    settings.PAGE_COUNT_CAP = 2
    page = client.get("/api/applications", {"page_size": 1}).json()
    assert (page["count"], page["more"], len(page["items"])) == (2, True, 1)
    assert len(client.get("/api/applications", {"page": 3, "page_size": 1}).json()["items"]) == 1  # beyond the cap
    settings.PAGE_COUNT_CAP = 3
    assert client.get("/api/applications").json() | {"items": []} == {"items": [], "count": 3, "more": False}


def test_a_list_found_over_the_cap_is_not_counted_again_for_a_while(tree, people, settings):
    """Counting the cap's rows is half a national queue page's work: once a list is found over the cap, its full pages
    say "more" without counting for ``OVER_CAP_SECONDS``, then count again. A list under the cap, another scope's or
    other filters' list, and a page that comes back short are counted."""
    from yuanmeng.orgs import scoping

    policy = tree.policy()
    for _ in range(3):
        tree.apply(tree.member(), policy)
    tree.apply(tree.member(employer=tree.haizhu_firm), policy)
    tianhe, _token = token_client(people.district)
    haizhu, _token = token_client(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))

    def page(client=tianhe, **query) -> tuple[tuple, bool]:
        with CaptureQueriesContext(connection) as queries:
            answer = client.get("/api/applications", {"page_size": 1, **query}).json()
        return (answer["count"], answer["more"], len(answer["items"])), any(
            "COUNT(*)" in q["sql"] for q in queries.captured_queries)

    settings.PAGE_COUNT_CAP = 2
    assert page() == ((2, True, 1), True)
    assert page(page=2) == ((2, True, 1), False)
    assert page(state="submitted") == ((2, True, 1), True)  # other filters: another list
    assert page(haizhu) == ((1, False, 1), True)  # another scope: its own count
    submitted = list(Application.objects.filter(state="submitted", organisation__path__startswith=tree.tianhe.path))
    Application.objects.filter(pk__in=[application.pk for application in submitted[:2]]).update(state="confirmed")
    assert page(state="submitted", page_size=2) == ((1, False, 1), True)  # a short page: counted afresh
    for key in scoping.LISTS_OVER_CAP:  # as OVER_CAP_SECONDS later
        scoping.LISTS_OVER_CAP[key] = 0.0
    assert page() == ((2, True, 1), True)
    settings.PAGE_COUNT_CAP = 4
    assert page() == page() == ((3, False, 1), True)


def test_the_queue_joins_its_names_to_its_page_not_to_the_list(tree, people):
    """Five tables joined to the list cost PostgreSQL more to plan than the page costs to run (decisions 0020, 0026):
    the page's one query picks its rows from the applications alone (its scope by subquery), and joins the names to
    those rows after their LIMIT (decision 0028)."""
    tree.apply(tree.member(), tree.policy())
    client, _token = token_client(people.district)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/applications").json()["count"] == 1
    page = queries.captured_queries[-1]["sql"]
    assert page.startswith("SELECT") and '"applications_application"."id"' in page
    assert not re.search(r'FROM "applications_application" (INNER|LEFT OUTER) JOIN', page)
    assert re.search(r'LIMIT \d+\) "applications_application" INNER JOIN', page)


def test_a_page_past_the_end_still_counts_the_rows(tree, people):
    """The count rides on the page's rows; a page with none asks for it on its own."""
    policy = tree.policy()
    for _ in range(3):
        tree.apply(tree.member(), policy)
    client, _token = token_client(people.district)
    assert client.get("/api/applications", {"page": 9, "page_size": 2}).json() == {"items": [], "count": 3,
                                                                                   "more": False}
    first = client.get("/api/applications", {"page_size": 2}).json()
    assert (first["count"], first["more"], len(first["items"])) == (3, False, 2)
    assert "_counted_up_to" not in first["items"][0]


def test_the_detail_reads_its_history_and_documents_as_the_models_give_them(tree, people):
    """Read as JSON in the application's query, the history and documents answer what the models hold: the same
    times to the microsecond, oldest first."""
    from yuanmeng.applications.api import DocumentOut, EventOut

    application = tree.apply(people.worker, tree.policy())
    application_transition(by=people.enterprise, application=application, action=Action.CONFIRM)
    client, _token = token_client(people.district)
    answer = client.get(f"/api/applications/{application.pk}").json()

    def as_json(schema, rows):
        return json.loads(JSONRenderer().render(None, [schema.model_validate(row).model_dump() for row in rows],
                                                response_status=200))

    events = application.events.order_by("at", "id").values()
    documents = application.documents.order_by("uploaded_at", "id").values()
    assert len(answer["events"]) == 2 and len(answer["documents"]) >= 1
    assert answer["events"] == as_json(EventOut, events)
    assert answer["documents"] == as_json(DocumentOut, documents)


def as_ninja_writes(schema, answer, request) -> bytes:
    """``answer`` as ninja writes it: checked against ``schema``, turned into Python values, rendered."""
    checked = schema.model_validate(answer, context={"request": request, "response_status": 200})
    return JSONRenderer().render(request, checked.model_dump(), response_status=200)


def test_the_busiest_answers_are_written_as_ninja_would_write_them(tree, people, rf):
    """``written``: the queue and the detail checked against their schemas and written by pydantic in one step, or
    on PostgreSQL the queue's rows written by the database (``answer_json``), are the same bytes as ninja's check,
    its Python values and the renderer — with quotes, a backslash, a control character and Chinese in a name, a
    moment without microseconds and one with, a number and a date missing or given; a refusal still goes ninja's
    way."""
    from yuanmeng.applications.api import ApplicationDetailOut, ApplicationOut, _detail, application_values
    from yuanmeng.applications.selectors import application_list
    from yuanmeng.core.api import paged

    application = tree.apply(people.worker, tree.policy())
    application_transition(by=people.enterprise, application=application, action=Action.CONFIRM)
    other = tree.apply(tree.member(), tree.policy())
    Worker.objects.filter(pk=other.worker_id).update(name='王"小\\明"\x01\n/\u2028')
    moment = datetime.datetime(2026, 3, 1, 8, 30, 15, tzinfo=datetime.UTC)
    Application.objects.filter(pk=other.pk).update(submitted_at=moment, updated_at=moment.replace(microsecond=500000),
                                                   certificate_number="GD2026-1", graduation_date=moment.date(),
                                                   level="bachelor")
    Policy.objects.filter(pk=other.policy_id).update(amount_bachelor_fen=320_000)  # the level picks the amount
    client, _token = token_client(people.district)

    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="en")
    request.user, request.LANGUAGE_CODE = people.district, "en"
    for language in ("en", "zh-hans"):
        request.LANGUAGE_CODE = language
        page = client.get("/api/applications", HTTP_ACCEPT_LANGUAGE=language)
        assert page["Content-Type"] == "application/json; charset=utf-8"
        rows = application_values(application_list(user=people.district).order_by("-submitted_at", "-pk")[:50])
        assert page.content == as_ninja_writes(paged(ApplicationOut), {"items": list(rows), "count": 2, "more": False},
                                               request)
        for shown in (application, other):
            with CaptureQueriesContext(connection) as queries:  # the token and the detail: nothing read lazily
                detail = client.get(f"/api/applications/{shown.pk}", HTTP_ACCEPT_LANGUAGE=language)
            assert len(queries) == 2
            assert detail.content == as_ninja_writes(ApplicationDetailOut, _detail(request, shown.pk), request)
    assert {item["state_label"] for item in page.json()["items"]} == {"已提交", "企业工会已确认"}
    amounts = {item["level"]: item["amount_fen"] for item in page.json()["items"]}
    assert amounts == {"college": application.policy.amount_college_fen, "bachelor": 320_000}
    assert detail.json()["amount_fen"] == 320_000
    missing = client.get("/api/applications/999999999")
    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json; charset=utf-8")


def test_a_registration_is_answered_as_ninja_would_write_it(tree, people, rf):
    from yuanmeng.people.api import WorkerOut

    client, _token = token_client(people.enterprise)
    payload = {"name": "李四", "id_number": id_number(), "mobile": mobile(), "employer_id": tree.tianhe_firm.pk,
               "job_category": "service"}
    answer = client.post("/api/workers", payload, content_type="application/json")
    assert (answer.status_code, answer["Content-Type"]) == (201, "application/json; charset=utf-8")
    request = rf.post("/api/workers")
    request.user = people.enterprise
    assert answer.content == as_ninja_writes(WorkerOut, Worker.objects.get(pk=answer.json()["id"]), request)
    taken = client.post("/api/workers", payload, content_type="application/json")
    assert taken.status_code == 422 and "id_number" in taken.content.decode()


def test_an_answer_pydantic_cannot_write_goes_ninja_way(rf):
    """A lone surrogate (never from the database, which keeps UTF-8) is written by ninja's renderer."""
    from ninja import Schema

    from yuanmeng.core.api import written

    class Named(Schema):
        name: str

    answer = written(Named, status=201)(lambda request: {"name": "\ud800"})(rf.get("/"))
    assert answer.status_code == 201 and isinstance(answer.value, Named) and answer.value.name == "\ud800"
    body = JSONRenderer().render(None, answer.value.model_dump(), response_status=201)
    assert json.loads(body) == {"name": "\ud800"}


def test_written_leaves_another_status_and_a_response_to_ninja(rf):
    from django.http import HttpResponse
    from ninja import Schema, Status

    from yuanmeng.core.api import written

    class Named(Schema):
        name: str

    refusal = Status(422, {"detail": "no"})
    assert written(Named)(lambda request: refusal)(rf.get("/")) is refusal
    response = HttpResponse(b"{}")
    assert written(Named)(lambda request: response)(rf.get("/")) is response
    assert written(Named)(lambda request: Status(200, {"name": "王"}))(rf.get("/")).content == '{"name":"王"}'.encode()


def test_answer_json_refuses_a_field_it_has_no_expression_for_or_cannot_write():
    from django.core.exceptions import ImproperlyConfigured
    from django.db.models import F
    from ninja import Schema

    from yuanmeng.core.api import answer_json

    class Named(Schema):
        name: str
        born: datetime.date | None

    with pytest.raises(ImproperlyConfigured, match="no expression for 'born'"):
        answer_json(Named, {"name": F("name")})
    for annotation in (float, int | str, list[str]):
        odd = type("Odd", (Schema,), {"__annotations__": {"value": annotation}})
        with pytest.raises(ImproperlyConfigured, match="'value' is of a type PostgreSQL does not write"):
            answer_json(odd, {"value": F("value")})


def test_a_page_read_as_a_table_joins_its_own_rows_in_its_order(tree, people):
    """``rows_of_page``: what an answer joins is read for the page's rows, after its LIMIT, in the page's order; a
    query that is not a slice, or is ordered by another table's column, is refused."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db.models import F

    from yuanmeng.core.sql import rows_of_page

    applications = [tree.apply(tree.member(), tree.policy()) for _ in range(4)]
    rows = Application.objects.order_by("-pk")
    page = rows_of_page(rows[1:3]).values("pk", "state", name=F("worker__name"),
                                          school_name=F("school__organisation__name"))
    expected = [{"pk": application.pk, "state": application.state, "name": application.worker.name,
                 "school_name": application.school.organisation.name} for application in applications[2:0:-1]]
    assert list(page) == expected
    assert re.search(r'LIMIT 2 OFFSET 1\) "applications_application" INNER JOIN', str(page.query))
    assert list(rows_of_page(Application.objects.order_by("pk")[:2]).values_list("pk", flat=True)) == [
        application.pk for application in applications[:2]]
    for not_a_page in (rows, rows.order_by("worker__name")[:2], rows.order_by(F("pk").desc())[:2]):
        with pytest.raises(ImproperlyConfigured, match="rows_of_page takes a slice"):
            rows_of_page(not_a_page)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="JSONText is written by PostgreSQL")
def test_json_text_writes_an_empty_object_and_keys_in_utf8(tree, people):
    from django.db.models import F

    from yuanmeng.core.sql import JSONText

    application = tree.apply(people.worker, tree.policy())
    for fields, expected in (([], "{}"), ([("名字", "text", F("state"))], f'{{"名字":"{application.state}"}}')):
        assert Application.objects.filter(pk=application.pk).values_list(JSONText(fields), flat=True).get() == expected


def test_the_detail_reads_what_it_shows_in_a_statement_psycopg_keeps_parsed(tree, people):
    """The detail's own query reads the columns it shows, not the list's every column of six tables: a statement
    short enough, with few enough values, for psycopg to keep parsed (it parses a longer one anew on every run)."""
    from psycopg import _queries

    application = tree.apply(people.worker, tree.policy())
    client, _token = token_client(people.district)
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        assert client.get(f"/api/applications/{application.pk}").status_code == 200
    read, values = sent[-1]
    assert '"people_worker"."name"' in read and '"people_worker"."mobile"' not in read
    assert len(read) <= _queries.MAX_CACHED_STATEMENT_LENGTH and len(values) <= _queries.MAX_CACHED_STATEMENT_PARAMS
