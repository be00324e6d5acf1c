"""Targets: setting them and sharing them out (each bad input refused by its field, nothing half-written, an audit
record for each change), who may set and read them, and progress, pace and forecast from the rollups."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from yuanmeng.applications.services import application_transition
from yuanmeng.applications.workflow import Action
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.orgs.roles import Role
from yuanmeng.stats import target_services
from yuanmeng.stats.models import Measure, MoneyRollup, Target, WorkerRollup
from yuanmeng.stats.services import stats_refresh
from yuanmeng.stats.target_services import target_change, target_remove, target_set, target_share_allocate
from yuanmeng.stats.targets import children_for, progress_for, shares_of

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 30)


@pytest.fixture
def admins(tree):
    class Admins:
        national = tree.staff(Role.VIEWER, tree.national)
        city = tree.staff(Role.CITY_ADMIN, tree.city)
        district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
        other_district = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
        auditor = tree.staff(Role.AUDITOR, tree.city)
    return Admins


def _set(by, organisation, measure=Measure.WORKERS_PAID, start=2024, end=2030, value=3_000_000, **extra):
    return target_set(by=by, organisation=organisation, measure=measure, start_year=start, end_year=end, value=value,
                      **extra)


def _paid(organisation, year, paid, migrants=0, approved=0):
    WorkerRollup.objects.create(organisation=organisation, year=year, dimension="level", value="college",
                                applying=approved, approved=approved, graduated=paid, paid=paid)
    WorkerRollup.objects.create(organisation=organisation, year=year, dimension="migrant", value="yes",
                                applying=migrants, approved=migrants, graduated=migrants, paid=migrants)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_target_is_set_with_an_audit_record(tree, admins):
    target = _set(admins.national, tree.national, note="2030 目标")
    assert (target.value, target.start_year, target.end_year, target.note) == (3_000_000, 2024, 2030, "2030 目标")
    entry = AuditEntry.objects.get(action="target.set")
    assert entry.after == {"measure": "workers_paid", "start_year": 2024, "end_year": 2030, "value": 3_000_000}
    assert entry.organisation == tree.national


@pytest.mark.parametrize(("fields", "field"), [
    ({"value": -1}, "value"),
    ({"start": 2030, "end": 2024}, "end_year"),
    ({"start": 1999}, "start_year"),
    ({"measure": "graduates"}, "measure"),
    ({"value": 10**19}, "value"),
])
def test_bad_input_is_refused_by_its_field(tree, admins, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        _set(admins.city, tree.city, **fields)
    assert field in _errors(excinfo)
    assert not Target.objects.exists()


def test_a_second_target_for_the_same_measure_and_years_is_refused(tree, admins):
    _set(admins.city, tree.city, start=2026, end=2026, value=4126)
    with pytest.raises(ValidationError) as excinfo:
        _set(admins.city, tree.city, start=2026, end=2026, value=5000)
    assert "measure" in _errors(excinfo)


def test_a_money_measure_needs_the_right_to_read_funds(tree, admins, monkeypatch):
    real = target_services.has_capability
    monkeypatch.setattr(target_services, "has_capability",
                        lambda user, capability, path=None: capability != "view_funds" and real(user, capability,
                                                                                                 path))
    with pytest.raises(ValidationError) as excinfo:
        _set(admins.city, tree.city, measure=Measure.BUDGET_PAID, value=15_000_000_00)
    assert "measure" in _errors(excinfo)


def test_only_an_administrator_over_the_union_sets_its_targets(tree, admins):
    for user, organisation in ((admins.district, tree.tianhe), (admins.auditor, tree.city),
                               (admins.city, tree.province)):
        with pytest.raises(PermissionDenied):
            _set(user, organisation)
    assert _set(admins.city, tree.tianhe, start=2026, end=2026, value=100).organisation == tree.tianhe


def test_shares_may_not_exceed_the_target(tree, admins):
    target = _set(admins.city, tree.city, start=2026, end=2026, value=4126)
    tianhe = target_share_allocate(by=admins.city, target=target, organisation=tree.tianhe, value=3000)
    assert (tianhe.parent, tianhe.measure, tianhe.start_year, tianhe.end_year) == (target, target.measure, 2026, 2026)
    with pytest.raises(ValidationError) as excinfo:
        target_share_allocate(by=admins.city, target=target, organisation=tree.haizhu, value=1127)
    assert "1,126" in _errors(excinfo)["value"][0]
    target_share_allocate(by=admins.city, target=target, organisation=tree.haizhu, value=1126)
    # changing a share counts the others, not itself
    target_share_allocate(by=admins.city, target=target, organisation=tree.tianhe, value=2000)
    assert target.shares.get(organisation=tree.tianhe).value == 2000
    assert AuditEntry.objects.filter(action="target.share_allocate").count() == 3


def test_a_share_goes_to_a_child_without_its_own_target(tree, admins):
    target = _set(admins.national, tree.national)
    with pytest.raises(ValidationError) as excinfo:
        target_share_allocate(by=admins.national, target=target, organisation=tree.city, value=10)
    assert "organisation" in _errors(excinfo)
    _set(admins.national, tree.province, value=5)
    with pytest.raises(ValidationError) as excinfo:
        target_share_allocate(by=admins.national, target=target, organisation=tree.province, value=10)
    assert "organisation" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        target_share_allocate(by=admins.national, target=target, organisation=tree.province, value=-1)
    assert "value" in _errors(excinfo)


def test_a_share_goes_only_to_an_active_union_and_no_value_is_too_large(tree, admins):
    target = _set(admins.city, tree.city)
    for organisation in (tree.school, tree.haizhu):
        tree.haizhu.__class__.objects.filter(pk=tree.haizhu.pk).update(is_active=False)
        organisation.refresh_from_db()
        with pytest.raises(ValidationError) as excinfo:
            target_share_allocate(by=admins.city, target=target, organisation=organisation, value=10)
        assert "organisation" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        target_share_allocate(by=admins.city, target=target, organisation=tree.tianhe, value=10**19)
    assert "value" in _errors(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        target_change(by=admins.city, target=target, value=10**19)
    assert "value" in _errors(excinfo)
    assert not Target.objects.filter(parent=target).exists()
    assert [child.name for child in children_for(admins.city, target)] == [tree.tianhe.name]


def test_a_target_cannot_fall_below_its_shares_nor_a_share_above_its_parent(tree, admins):
    target = _set(admins.city, tree.city, start=2026, end=2026, value=1000)
    share = target_share_allocate(by=admins.city, target=target, organisation=tree.tianhe, value=600)
    target_share_allocate(by=admins.city, target=target, organisation=tree.haizhu, value=300)
    with pytest.raises(ValidationError) as excinfo:
        target_change(by=admins.city, target=target, value=899)
    assert "900" in _errors(excinfo)["value"][0]
    with pytest.raises(ValidationError) as excinfo:
        target_change(by=admins.city, target=share, value=701)
    assert "value" in _errors(excinfo)
    target_change(by=admins.city, target=share, value=700, note="加码")
    target_change(by=admins.city, target=target, value=1200)
    assert [(e.before, e.after) for e in AuditEntry.objects.filter(action="target.change").order_by("seq")] == [
        ({"value": 600}, {"value": 700}), ({"value": 1000}, {"value": 1200})]


def test_a_share_is_changed_only_by_the_union_that_gave_it(tree, admins):
    target = _set(admins.national, tree.national)
    share = target_share_allocate(by=admins.national, target=target, organisation=tree.province, value=100_000)
    city_share_holder = tree.staff(Role.VIEWER, tree.province)
    with pytest.raises(PermissionDenied):
        target_change(by=city_share_holder, target=share, value=200_000)
    # but the province may share its own share out further
    further = target_share_allocate(by=city_share_holder, target=share, organisation=tree.city, value=50_000)
    assert further.parent == share


def test_removing_a_target_with_shares_is_refused_then_allowed(tree, admins):
    target = _set(admins.city, tree.city, start=2026, end=2026, value=1000)
    share = target_share_allocate(by=admins.city, target=target, organisation=tree.tianhe, value=600)
    with pytest.raises(ValidationError) as excinfo:
        target_remove(by=admins.city, target=target)
    assert "target" in _errors(excinfo)
    target_remove(by=admins.city, target=share)
    target_remove(by=admins.city, target=target)
    assert not Target.objects.exists()
    assert AuditEntry.objects.filter(action="target.remove").count() == 2


def test_progress_pace_and_forecast_from_the_rollups(tree, admins):
    _set(admins.national, tree.national, value=3_000_000)
    _set(admins.national, tree.national, measure=Measure.MIGRANTS_PAID, value=2_000_000)
    _paid(tree.national, 2024, 400_000, migrants=300_000)
    _paid(tree.national, 2025, 500_000, migrants=350_000)
    _paid(tree.national, 2023, 999_999)  # before the period
    workers, migrants = progress_for(user=admins.national, organisation=tree.national, on=ON)
    assert (workers.measure, workers.done, workers.context) == (Measure.WORKERS_PAID, 900_000, False)
    assert migrants.done == 650_000
    # 2024-01-01 to 2026-06-30 is 30 months of 84
    assert workers.months_elapsed == pytest.approx(30, abs=0.05)
    assert workers.months_left == pytest.approx(54, abs=0.05)
    assert workers.needed_per_month == pytest.approx(2_100_000 / 54, rel=1e-3)
    assert workers.pace_per_month == pytest.approx(30_000, rel=2e-3)
    assert workers.forecast == pytest.approx(900_000 + 30_000 * 54, rel=2e-3)
    assert workers.on_track is False
    assert workers.percent == pytest.approx(30)


def test_money_progress_is_paid_out_and_needs_the_right_to_read_funds(tree, admins):
    _set(admins.city, tree.city, measure=Measure.BUDGET_PAID, start=2026, end=2026, value=15_000_000_00)
    _set(admins.city, tree.tianhe, start=2026, end=2026, value=100)
    for source, paid in (("special", 6_000_000_00), ("matching", 1_000_000_00)):
        MoneyRollup.objects.create(organisation=tree.city, year=2026, source=source, budgeted_fen=paid,
                                   reserved_fen=0, paid_fen=paid)
    [money] = progress_for(user=admins.city, organisation=tree.city, on=ON)
    assert (money.done, money.is_money) == (7_000_000_00, True)
    # a district reviewer reads no money: the city's money target is not shown to it as context
    assert [p.measure for p in progress_for(user=admins.district, organisation=tree.tianhe, on=ON)] == [
        Measure.WORKERS_PAID]


def test_lower_levels_see_their_share_or_the_parents_target_for_context(tree, admins):
    target = _set(admins.city, tree.city, start=2026, end=2026, value=1000)
    target_share_allocate(by=admins.city, target=target, organisation=tree.tianhe, value=600)
    _paid(tree.tianhe, 2026, 0, approved=0)
    [tianhe] = progress_for(user=admins.district, organisation=tree.tianhe, on=ON)
    assert (tianhe.target.value, tianhe.context) == (600, False)
    [haizhu] = progress_for(user=admins.other_district, organisation=tree.haizhu, on=ON)
    assert (haizhu.target, haizhu.context, haizhu.organisation) == (target, True, tree.haizhu)
    [city] = progress_for(user=admins.city, organisation=tree.city, on=ON)
    assert city.allocated == 600
    rows = {row.organisation: row for row in shares_of(target, list(children_for(admins.city, target)), ON)}
    assert rows[tree.tianhe].share.value == 600
    assert rows[tree.haizhu].share is None and rows[tree.haizhu].progress.context


def test_no_one_reads_the_progress_of_a_union_outside_their_subtree(tree, admins):
    from django.http import Http404

    _set(admins.city, tree.city, start=2026, end=2026, value=1000)
    with pytest.raises(Http404):
        progress_for(user=admins.district, organisation=tree.haizhu, on=ON)
    with pytest.raises(Http404):
        progress_for(user=admins.city, organisation=tree.province, on=ON)


def test_progress_follows_the_refresh(tree, admins, policy):
    _set(admins.city, tree.city, measure=Measure.APPROVED, start=policy.year, end=policy.year, value=10)
    application = tree.apply(tree.member(employer=tree.tianhe_firm), policy)
    for by, action in ((tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation), Action.CONFIRM),
                       (admins.district, Action.REVIEW), (admins.city, Action.APPROVE)):
        application_transition(by=by, application=application, action=action, checked_by_hand=True)
    on = datetime.date(policy.year, 6, 30)
    assert progress_for(user=admins.city, organisation=tree.city, on=on)[0].done == 0
    stats_refresh()
    assert progress_for(user=admins.city, organisation=tree.city, on=on)[0].done == 1


def test_projects_are_counted_by_the_projects_app(tree, admins):
    from yuanmeng.projects.models import ProjectKind
    from yuanmeng.projects.services import project_create

    _set(admins.national, tree.national, measure=Measure.PROJECTS, value=300)
    starts = [(tree.tianhe, datetime.date(2025, 3, 1)), (tree.city, datetime.date(2026, 1, 5)),
              (tree.haizhu, datetime.date(2026, 7, 1)), (tree.city, datetime.date(2023, 1, 1))]
    for n, (lead, starts_on) in enumerate(starts):
        project_create(by=admins.city, lead=lead, name=f"项目{n}", kind=ProjectKind.SKILLS, starts_on=starts_on,
                       ends_on=starts_on + datetime.timedelta(days=300))
    # started in 2024 up to the day, in the subtree: the 2026-07-01 one is still to come, the 2023 one before
    [national] = progress_for(user=admins.national, organisation=tree.national, on=ON)
    assert national.done == 2
    [tianhe] = progress_for(user=admins.district, organisation=tree.tianhe, on=ON)
    assert (tianhe.done, tianhe.context) == (1, True)


def test_reached_by_year_sums_the_years_up_to_the_day(tree, admins):
    from yuanmeng.stats.targets import reached_by_year

    target = _set(admins.national, tree.national, value=3_000_000)
    _paid(tree.national, 2024, 400_000)
    _paid(tree.national, 2026, 100_000)
    assert reached_by_year(target, ON) == [(datetime.date(2024, 1, 1), 0), (datetime.date(2024, 12, 31), 400_000),
                                           (datetime.date(2025, 12, 31), 400_000), (ON, 500_000)]
