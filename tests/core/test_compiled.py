"""``core.compiled.CompiledOnce``: the rows the QuerySet itself gives, for every value, built and compiled once."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yuanmeng.accounts.models import UserSession
from yuanmeng.accounts.selectors import token_in_use, user_in_session
from yuanmeng.accounts.services import api_token_issue
from yuanmeng.applications.models import Application
from yuanmeng.core.compiled import CompiledOnce, Prefix
from yuanmeng.orgs.models import Membership, Organisation
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.scoping import _one_subtree, grants, scope_shape

pytestmark = pytest.mark.django_db


def _members():
    return CompiledOnce(lambda organisation_id: Membership.objects.select_related("user", "organisation")
                        .filter(organisation_id=organisation_id).order_by("pk"), organisation_id=int)


def test_instances_with_their_relations_as_the_queryset_gives_them(tree):
    tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    tree.staff(Role.AUDITOR, tree.tianhe)
    tree.staff(Role.CITY_ADMIN, tree.city)
    members = _members()
    for organisation in (tree.tianhe, tree.city, tree.haizhu):
        expected = list(Membership.objects.select_related("user", "organisation")
                        .filter(organisation=organisation).order_by("pk"))
        seen = members(organisation_id=organisation.pk)
        assert [(m.pk, m.role, m.user.username, m.organisation.path) for m in seen] == [
            (m.pk, m.role, m.user.username, m.organisation.path) for m in expected]
    assert members(organisation_id=tree.haizhu.pk) == []


def test_values_rows_and_the_sql_the_orm_sends(tree):
    paths = CompiledOnce(lambda parent_id: Organisation.objects.filter(parent_id=parent_id).order_by("code")
                         .values("code", "path"), parent_id=int)
    with CaptureQueriesContext(connection) as sent:
        seen = paths(parent_id=tree.city.pk)
    expected = Organisation.objects.filter(parent_id=tree.city.pk).order_by("code").values("code", "path")
    with CaptureQueriesContext(connection) as orm:
        assert seen == list(expected)
    assert [q["sql"] for q in sent] == [q["sql"] for q in orm]


def test_a_later_call_sends_the_sql_the_orm_sends_for_its_value(tree):
    paths = CompiledOnce(lambda parent_id: Organisation.objects.filter(parent_id=parent_id).order_by("code")
                         .values("code", "path"), parent_id=int)
    paths(parent_id=tree.province.pk)
    with CaptureQueriesContext(connection) as sent:
        seen = paths(parent_id=tree.city.pk)
    expected = Organisation.objects.filter(parent_id=tree.city.pk).order_by("code").values("code", "path")
    with CaptureQueriesContext(connection) as orm:
        assert seen == list(expected) and len(seen) == 3
    assert [q["sql"] for q in sent] == [q["sql"] for q in orm]


def test_built_and_compiled_on_the_first_call_only(tree, monkeypatch):
    built = []
    members = CompiledOnce(lambda organisation_id: built.append(1) or Membership.objects.filter(
        organisation_id=organisation_id), organisation_id=int)
    members(organisation_id=tree.city.pk)
    organisations = (tree.tianhe, tree.haizhu, tree.city)
    expected = [list(Membership.objects.filter(organisation=o).values_list("pk", flat=True)) for o in organisations]
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or real(self, *a, **k))
    seen = [[m.pk for m in members(organisation_id=o.pk)] for o in organisations]
    assert seen == expected
    assert built == [1]
    assert compiled == []


def test_a_value_is_converted_to_its_kind(tree):
    members = _members()
    assert members(organisation_id=str(tree.city.pk)) == members(organisation_id=tree.city.pk)
    with pytest.raises(TypeError):
        members(organisation=tree.city.pk)


@pytest.mark.parametrize("build", [
    lambda code: Organisation.objects.filter(code__startswith=code),       # a pattern: 'code%'
    lambda code: Organisation.objects.filter(name__iexact="x"),             # the value not used at all
])
def test_a_value_that_is_not_a_plain_parameter_is_refused(build):
    with pytest.raises(ImproperlyConfigured):
        CompiledOnce(build, code=str)(code="GZ")


def test_only_ints_texts_and_moments_can_stand_in():
    with pytest.raises(ImproperlyConfigured):
        CompiledOnce(lambda day: Organisation.objects.all(), day=datetime.date)


def test_what_it_cannot_run_as_the_orm_would_is_refused(tree):
    with pytest.raises(ImproperlyConfigured, match="range"):  # a small column: the ORM refuses the int's marker
        CompiledOnce(lambda depth: Organisation.objects.filter(depth=depth), depth=int)(depth=2)
    with pytest.raises(ImproperlyConfigured, match="prefetch_related"):
        CompiledOnce(lambda pk: Organisation.objects.filter(pk=pk).prefetch_related("children"), pk=int)(pk=1)
    members = _members()
    with pytest.raises(ValueError):  # the ORM would write IS NULL
        members(organisation_id=None)
    moments = CompiledOnce(lambda now: UserSession.objects.filter(expire_date__gt=now), now=datetime.datetime)
    with pytest.raises(ValueError):
        moments(now=datetime.datetime(2026, 1, 1))


def test_a_query_that_can_have_no_rows_gives_none():
    nothing = CompiledOnce(lambda pk: Organisation.objects.none().filter(pk=pk), pk=int)
    with CaptureQueriesContext(connection) as sent:
        assert nothing(pk=1) == []
    assert not sent


def test_the_session_read_sees_a_live_session_only(client, tree):
    user, other = tree.staff(Role.CITY_ADMIN, tree.city), tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    client.force_login(user)
    other_client = Client()
    other_client.force_login(other)
    assert client.get("/api/me").json()["username"] == user.username
    assert other_client.get("/api/me").json()["username"] == other.username
    UserSession.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/me").status_code == 401


def test_the_callers_look_ups_give_user_and_roles(tree):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    _token, secret = api_token_issue(by=reviewer, name="t")
    holder = token_in_use(secret).user
    assert holder.pk == reviewer.pk and [g.role for g in grants(holder)] == [Role.DISTRICT_REVIEWER]
    assert token_in_use(secret + "x") is None
    assert [g.path for g in grants(user_in_session(str(reviewer.pk)))] == [tree.tianhe.path]
    assert user_in_session(get_user_model().objects.order_by("-pk").first().pk + 1) is None


def test_a_key_beyond_64_bits_finds_nothing_as_the_orm_does(tree):
    by_key = CompiledOnce(lambda pk: Organisation.objects.filter(pk=pk), pk=int)
    assert by_key(pk=tree.city.pk) == [tree.city]
    assert by_key(pk=10**20) == [] == list(Organisation.objects.filter(pk=10**20))



postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")


def _runs_to_prepare() -> int:
    """Runs after which psycopg has prepared a compiled query: settings' ``prepare_threshold``, and one."""
    return connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1


def _prepared(fragment: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return [statement for statement, in cursor.fetchall()]


@postgresql
def test_on_postgresql_a_hot_compiled_query_is_prepared_once_whatever_the_size_of_its_ints(tree):
    names = CompiledOnce(lambda parent_id: Organisation.objects.filter(parent_id=parent_id).order_by("-name")
                         .values_list("name", flat=True), parent_id=int)
    for parent_id in (tree.province.pk, 40_000, 3_000_000_000) * _runs_to_prepare():  # int2, int4, int8 by size
        assert names(parent_id=parent_id) == list(Organisation.objects.filter(parent_id=parent_id).order_by("-name")
                                                  .values_list("name", flat=True))
    assert len(_prepared('SELECT "orgs_organisation"."name" AS "name" FROM')) == 1


@postgresql
def test_a_run_bound_on_the_server_is_logged_with_its_values_as_the_orm_logs_a_query(tree):
    names = CompiledOnce(lambda parent_id: Organisation.objects.filter(parent_id=parent_id).order_by("-code")
                         .values_list("code", flat=True), parent_id=int)
    for _ in range(_runs_to_prepare()):
        names(parent_id=tree.province.pk)
    with CaptureQueriesContext(connection) as sent:
        names(parent_id=tree.city.pk)
    with CaptureQueriesContext(connection) as orm:
        list(Organisation.objects.filter(parent_id=tree.city.pk).order_by("-code").values_list("code", flat=True))
    assert [q["sql"] for q in sent] == [q["sql"] for q in orm]
    assert str(tree.city.pk) in sent[0]["sql"]


@postgresql
def test_a_query_with_a_prefix_is_prepared_with_its_texts_written_in(tree):
    """A generic plan could not take a subtree's LIKE prefix to the path index (decision 0022): each subtree, and each
    text the query filters by, has a statement of its own with them written in, which PostgreSQL plans for them; a
    key stays bound, so that it does not make a statement of its own (decision 0024). Quotes, ``%`` and ``\\``
    written in are the values, not SQL or placeholders."""
    within = CompiledOnce(lambda root, code, lowest: Organisation.objects.filter(path__startswith=root, pk__gte=lowest)
                          .exclude(code=code).order_by("-path").values_list("path", flat=True),
                          root=Prefix, code=str, lowest=int)
    odd = "it's 100%_\\done"
    calls = ((tree.city.path, 0), (tree.tianhe.path, 1), (tree.city.path, tree.tianhe.pk))
    for root, lowest in calls * _runs_to_prepare():
        assert within(root=Prefix(root), code=odd, lowest=lowest) == list(
            Organisation.objects.filter(path__startswith=root, pk__gte=lowest).exclude(code=odd).order_by("-path")
            .values_list("path", flat=True))
    statements = _prepared('SELECT "orgs_organisation"."path" AS "path" FROM')
    assert len(statements) == 2 and all("it''s 100%_" in statement for statement in statements)
    assert [sum(f"LIKE '{root}%'" in statement for statement in statements)
            for root in (tree.city.path, tree.tianhe.path)] == [1, 1]
    assert [_prepared_name_and_types(statement)[1] for statement in statements] == [["bigint"], ["bigint"]]
    assert within(root=Prefix(tree.city.path), code=tree.city.code, lowest=0) == list(
        Organisation.objects.filter(path__startswith=tree.city.path).exclude(code=tree.city.code).order_by("-path")
        .values_list("path", flat=True))


@postgresql
def test_a_run_with_its_values_written_in_is_logged_as_the_orm_logs_the_query(tree):
    """Nothing left to bind: the statement goes without values, its ``%`` as the values hold them."""
    paths = CompiledOnce(lambda root, code: Organisation.objects.filter(path__startswith=root).exclude(code=code)
                         .order_by("path").values_list("path", flat=True), root=Prefix, code=str)
    for _ in range(_runs_to_prepare()):
        with CaptureQueriesContext(connection) as sent:
            found = paths(root=Prefix(tree.city.path), code="100%")
    with CaptureQueriesContext(connection) as orm:
        assert found == list(Organisation.objects.filter(path__startswith=tree.city.path).exclude(code="100%")
                             .order_by("path").values_list("path", flat=True))
    assert [q["sql"] for q in sent] == [q["sql"] for q in orm]
    [statement] = _prepared('"orgs_organisation"."code" = ')
    assert "= '100%')" in statement


@postgresql
def test_a_row_found_by_its_key_within_a_prefix_is_prepared_and_planned_by_its_key(tree):
    """``by_key``: the generic plan finds the row by its key and checks its one path against the pattern, for a
    district's subtree as for the whole country's (decision 0022)."""
    in_subtree = CompiledOnce(lambda pk, root: Organisation.objects.filter(pk=pk, path__startswith=root)
                              .values_list("code", flat=True), by_key=True, pk=int, root=Prefix)
    for _ in range(_runs_to_prepare()):
        assert in_subtree(pk=tree.tianhe_firm.organisation_id, root=Prefix(tree.city.path)) == [
            tree.tianhe_firm.organisation.code]
    assert in_subtree(pk=tree.province.pk, root=Prefix(tree.city.path)) == []
    [statement] = _prepared('SELECT "orgs_organisation"."code" AS "code" FROM')
    name, types = _prepared_name_and_types(statement)
    values = ", ".join("1" if kind == "bigint" else "'/%'" for kind in types)  # any key, the whole country
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.execute(f'EXPLAIN EXECUTE "{name}" ({values})')
        plan = "\n".join(line for line, in cursor.fetchall())
        cursor.execute("RESET plan_cache_mode")
    assert "orgs_organisation_pkey" in plan and "Seq Scan" not in plan, plan


def test_a_read_by_key_is_prepared_only_where_the_scope_is_one_subtree(tree):
    """An owner's clause or a school's second subtree ORed into the scope keeps its subquery apart from the row: a
    generic plan would read every organisation for it, so such shapes are not prepared (``_one_subtree``)."""
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    school_staff = tree.staff(Role.SCHOOL_STAFF, tree.school)
    assert _one_subtree(Application, scope_shape(reviewer, Application)[0])
    assert not _one_subtree(Application, scope_shape(school_staff, Application)[0])  # its students' applications
    assert not _one_subtree(Application, scope_shape(tree.member().user, Application)[0])
    assert _one_subtree(Application, scope_shape(tree.root_user, Application)[0])  # everything: no subtree at all


def _prepared_name_and_types(statement: str) -> tuple[str, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, parameter_types::text[] FROM pg_prepared_statements WHERE statement = %s",
                       [statement])
        return cursor.fetchone()


@postgresql
def test_without_a_prepare_threshold_nothing_is_prepared(tree, monkeypatch):
    runs = _runs_to_prepare()
    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold", raising=False)
    depths = CompiledOnce(lambda parent_id: Organisation.objects.filter(parent_id=parent_id).order_by("-depth")
                          .values_list("depth", flat=True), parent_id=int)
    for _ in range(runs):
        depths(parent_id=tree.city.pk)
    assert _prepared('SELECT "orgs_organisation"."depth" AS "depth" FROM') == []
