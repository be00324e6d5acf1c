"""``orgs.scoping.CompiledInScope``: a scoped query compiled once per shape of scope gives every caller exactly the rows
``restrict()`` gives them — their own roots and id in the stand-in's places, never the first caller's of a shape."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yuanmeng.applications.models import Application
from yuanmeng.orgs.models import Enterprise, Organisation
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.scoping import CompiledInScope, CompiledScopedList, scope_shape
from yuanmeng.orgs.services import membership_grant
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The user as a new request reads them: no roles or ownership remembered from an earlier query."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def callers(tree, policy):
    """Applications in both districts and at the school, and a caller of every shape of scope; two or more of the
    shapes most callers have (one subtree: district reviewers, enterprise officers, city admin, school staff; a
    worker's own rows), so that a shape compiled for one is run for the other."""
    tianhe_worker, haizhu_worker = tree.member(name="天河人"), tree.member(employer=tree.haizhu_firm, name="海珠人")
    tree.apply(tianhe_worker, policy)
    tree.apply(haizhu_worker, policy)
    tree.apply(tree.member(name="同事"), policy)
    both = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    membership_grant(by=tree.root_user, user=both, organisation=tree.haizhu, role=Role.DISTRICT_REVIEWER)
    officer_who_applied = tree.member(employer=tree.haizhu_firm, name="兼职干部")
    tree.apply(officer_who_applied, policy)
    membership_grant(by=tree.root_user, user=officer_who_applied.user, organisation=tree.tianhe_firm.organisation,
                     role=Role.ENTERPRISE_OFFICER)
    return {
        "superuser": tree.root_user,
        "worker in 天河": tianhe_worker.user, "worker in 海珠": haizhu_worker.user,
        "a login with no worker and no role": tree.worker_login(tree.worker(name="未申请")),
        "天河 reviewer": tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe),
        "海珠 reviewer": tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu),
        "reviewer of both districts": both,
        "天河 enterprise officer": tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation),
        "海珠 enterprise officer": tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation),
        "enterprise officer who applied elsewhere": officer_who_applied.user,
        "city admin": tree.staff(Role.CITY_ADMIN, tree.city),
        "school staff": tree.staff(Role.SCHOOL_STAFF, tree.school),
        "the school's other staff": tree.staff(Role.SCHOOL_STAFF, tree.school),
        "province viewer": tree.staff(Role.VIEWER, tree.province),
    }


def _scoped_ids(model):
    return CompiledInScope(lambda user: model.objects.restrict(user).order_by("pk").values("pk"), model)


@pytest.mark.parametrize("model", [Application, Worker, Organisation])
def test_every_caller_sees_what_restrict_gives_them(callers, model):
    compiled = _scoped_ids(model)
    for _round in range(2):  # the second round runs every shape compiled in the first
        for label, user in callers.items():
            expected = list(model.objects.restrict(_fresh(user)).order_by("pk").values("pk"))
            assert compiled(_fresh(user)) == expected, label


def test_a_shape_is_compiled_once_for_its_callers(callers):
    built = []
    compiled = CompiledInScope(lambda user: built.append(1) or Application.objects.restrict(user), Application)
    for label in ("天河 reviewer", "海珠 reviewer", "worker in 天河", "worker in 海珠", "city admin"):
        compiled(_fresh(callers[label]))
    assert len(built) == 2  # one district's reviewer (city admin the same shape: one root), one worker


def test_the_shapes_of_scope(callers):
    def shape(label):
        return scope_shape(_fresh(callers[label]), Application)[0]

    assert shape("天河 reviewer") == shape("海珠 reviewer") == shape("city admin")
    assert shape("worker in 天河") == shape("a login with no worker and no role")
    assert len({shape(label) for label in ("天河 reviewer", "reviewer of both districts", "worker in 天河",
                                           "enterprise officer who applied elsewhere", "school staff",
                                           "superuser")}) == 6


def test_a_callers_values_are_their_roots_and_id(callers, tree):
    _key, values, _stand_in = scope_shape(_fresh(callers["enterprise officer who applied elsewhere"]), Application)
    assert sorted(values.values(), key=str) == sorted([tree.tianhe_firm.organisation.path,
                                                       callers["enterprise officer who applied elsewhere"].pk], key=str)


def test_a_list_for_a_caller_who_may_see_nothing_is_empty(tree):
    """An empty scope is ``none()``: no query to compile, no count to ask."""
    enterprises = CompiledScopedList(lambda user: Enterprise.objects.restrict(user).order_by("pk"), Enterprise)
    with CaptureQueriesContext(connection) as sent:
        assert enterprises.for_caller(AnonymousUser()).counted_page(0, 50, 10_000) == ([], 0)
    assert not sent
