"""The scope as national lists need it: a subtree by organisation ids (never a sibling that shares a prefix), the
worker's own clause only for workers, and a list's count capped ("more than 10,000")."""

import pytest

from yuanmeng.applications.models import Application
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import membership_grant
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db


def _move_subtree(old: str, new: str) -> None:
    """Give a subtree another path prefix (what ids would give after many organisations)."""
    for org in Organisation.objects.filter(path__startswith=old):
        Organisation.objects.filter(pk=org.pk).update(path=new + org.path[len(old):])


def test_a_sibling_whose_path_shares_the_prefix_is_outside(tree, policy):
    """/…/4/ must not take in /…/45/: the subtree is the prefix with its closing slash."""
    tianhe = Organisation.objects.get(pk=tree.tianhe.pk)
    _move_subtree(tree.haizhu.path, tianhe.path[:-1] + "5/")
    assert Organisation.objects.get(pk=tree.haizhu.pk).path.startswith(tianhe.path[:-1])
    mine, theirs = tree.member(name="天河人"), tree.member(employer=tree.haizhu_firm, name="海珠人")
    tree.apply(mine, policy)
    tree.apply(theirs, policy)
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tianhe)
    assert list(Worker.objects.restrict(reviewer)) == [mine]
    assert [a.worker for a in Application.objects.restrict(reviewer)] == [mine]
    assert set(Organisation.objects.restrict(reviewer)) == {tianhe, tree.tianhe_firm.organisation}


def test_a_worker_sees_only_their_own_applications(tree, policy):
    me, colleague = tree.member(name="本人"), tree.member(name="同事")
    mine = tree.apply(me, policy)
    tree.apply(colleague, policy)
    assert list(Application.objects.restrict(me.user)) == [mine]


def test_staff_lists_carry_no_clause_on_the_workers_login(tree):
    """The owner's OR joins every worker: a user without a role (a worker) gets it, staff only when they own rows."""
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    worker = tree.worker_login(tree.worker())
    staff_sql = str(Application.objects.restrict(reviewer).query)
    assert "people_worker" not in staff_sql and "IN (SELECT" in staff_sql
    assert '"people_worker"."user_id" =' in str(Application.objects.restrict(worker).query)
    assert '"people_worker"."user_id" =' not in str(Worker.objects.restrict(reviewer).query)


def test_a_worker_who_also_holds_a_role_still_sees_their_own_application(tree, policy, login):
    """An enterprise officer of another enterprise who applied as a worker: their roles do not hide their own rows
    (the owner's clause is added for staff who own rows)."""
    me = tree.member(name="本人")
    mine = tree.apply(me, policy)
    membership_grant(by=tree.root_user, user=me.user, organisation=tree.haizhu_firm.organisation,
                     role=Role.ENTERPRISE_OFFICER)
    me.user.refresh_from_db()
    assert me in Worker.objects.restrict(me.user) and mine in Application.objects.restrict(me.user)
    assert login(me.user).get(f"/applications/{mine.pk}/").status_code == 200


def test_a_list_over_the_cap_says_more_than_and_still_pages(tree, login, settings):
    settings.PAGE_COUNT_CAP, settings.PAGE_SIZE = 3, 2
    for n in range(5):
        tree.worker(name=f"职工{n}")
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    first = client.get("/workers/")
    page = first.context["page"]
    assert page.paginator.over_cap and page.paginator.count == 3 and page.has_next()
    assert "超过 3 条记录" in first.content.decode() and "共2+页" in first.content.decode()
    second = client.get("/workers/", {"page": 2}).context["page"]
    assert second.number == 2 and second.has_previous() and not second.has_next()
    shown = [w.name for w in page.object_list] + [w.name for w in second.object_list]
    assert shown == ["职工4", "职工3", "职工2"]  # the newest first; pages reach as far as the cap, no further


def test_a_list_within_the_cap_counts_exactly(tree, login, settings):
    settings.PAGE_COUNT_CAP = 3
    for n in range(3):
        tree.worker(name=f"职工{n}")
    page = login(tree.staff(Role.CITY_ADMIN, tree.city)).get("/workers/").context["page"]
    assert page.paginator.count == 3 and not page.paginator.over_cap


def test_the_queue_search_is_a_name_prefix_or_a_number(tree, policy, login):
    wang = tree.apply(tree.member(name="王小芳"), policy, student_number="S2026001")
    tree.apply(tree.member(name="李芳"), policy)
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))

    def found(q):
        return [a.pk for a in client.get("/applications/", {"state": "", "q": q}).context["page"].object_list]

    assert found("王") == found("王小芳") == found("S2026001") == [wang.pk]
    assert found("芳") == []  # not a match in the middle of a name: that would read every worker
