"""`yuanmeng seed national` at a tiny size: valid numbers of every shape, every state, scoping, pages that open."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from stdnum.cn import ric, uscc

from yuanmeng.accounts.models import User
from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.workflow import State
from yuanmeng.audit.services import audit_verify
from yuanmeng.core.access import Capability
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.validators import DocumentType, birth_date_and_sex, validate_id_number
from yuanmeng.demo.national import county_codes, provinces
from yuanmeng.funds.services import funds_verify
from yuanmeng.orgs.models import Enterprise, Organisation, OrgKind
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import Policy

pytestmark = pytest.mark.django_db
WORKERS = 2000


@pytest.fixture
def national(capsys):
    call_command("seed", "national", "--workers", str(WORKERS))
    return capsys.readouterr().out


def test_the_tree_has_every_province_and_valid_credit_codes(national):
    assert "rows/s" in national
    assert Organisation.objects.filter(kind=OrgKind.PROVINCE).count() == 31
    assert Organisation.objects.get(code="440000").name == "广东省总工会"
    assert Organisation.objects.get(code="440106").parent.code == "440100"  # 天河区 in 广州市
    assert Organisation.objects.filter(kind=OrgKind.DISTRICT).count() == sum(
        len(city.districts) for province in provinces() for city in province.cities)
    assert Enterprise.objects.count() == WORKERS // 100
    assert all(uscc.is_valid(code) for code in Enterprise.objects.values_list("credit_code", flat=True))
    for org in Organisation.objects.filter(kind=OrgKind.ENTERPRISE).select_related("parent"):
        assert org.path == f"{org.parent.path}{org.pk}/" and org.depth == org.parent.depth + 1


def test_identity_numbers_are_valid_of_every_shape(national):
    numbers = []
    for worker in Worker.objects.all():
        number = worker.id_number
        assert validate_id_number(number, worker.document_type) == number
        assert number[17] == ric.calc_check_digit(number)
        assert worker.id_number_index == blind_index(number)
        assert (worker.birth_date, worker.sex) == birth_date_and_sex(number)
        numbers.append(number)
    assert Worker.objects.count() == WORKERS == len(set(numbers))
    assert set(Worker.objects.values_list("document_type", flat=True)) == set(DocumentType.values)
    assert any(n.endswith("X") for n in numbers)
    years = {int(n[6:10]) for n in numbers}
    assert min(years) < 1965 and max(years) > 2000
    assert len({n[:2] for n in numbers if not n.startswith(("8", "9"))}) == 31
    today = datetime.date.today().year
    assert any(n[:6] not in county_codes(n[:2], today) for n in numbers if not n.startswith(("8", "9")))


def test_applications_in_every_state_with_their_history(national):
    assert set(Application.objects.values_list("state", flat=True)) == set(State.values)
    assert not Application.objects.exclude(organisation=F("worker__employer__organisation")).exists()
    assert not Application.objects.exclude(policy__organisation=F("area__parent")).exists()
    for application in Application.objects.exclude(state__in=[State.IN_BATCH, State.PAID]).order_by("?")[:200]:
        events = list(ApplicationEvent.objects.filter(application=application).order_by("at", "id"))
        assert events[0].from_state == "" and events[-1].to_state == application.state
        assert all(a.to_state == b.from_state for a, b in zip(events, events[1:], strict=False))
    for policy in Policy.objects.all():
        assert policy.applicant_count == policy.applications.count()
    assert funds_verify().ok and audit_verify().ok


def test_a_district_reviewer_sees_only_their_district(national, client):
    reviewer = User.objects.get(username="tianhe_reviewer")
    tianhe = Organisation.objects.get(code="440106")
    seen = Application.objects.restrict(reviewer, Capability.VIEW)
    assert seen.exists()
    assert seen.count() == Application.objects.filter(organisation__path__startswith=tianhe.path).count()
    assert Application.objects.filter(organisation__path__startswith="/").count() > seen.count()
    client.force_login(reviewer)
    other = Application.objects.exclude(organisation__path__startswith=tianhe.path).first()
    assert client.get(f"/applications/{other.pk}/").status_code == 404
    assert client.get(f"/applications/{seen.first().pk}/").status_code == 200


def test_the_pages_of_a_city_admin_open(national, client):
    client.force_login(User.objects.get(username="city_admin"))
    city, policy = Organisation.objects.get(code="440100"), Policy.objects.get(code__startswith="440100")
    for url in ("/", "/applications/", "/applications/?state=reviewed", "/workers/", "/enterprises/",
                f"/organisations/{city.pk}/", "/policies/", f"/policies/{policy.pk}/"):
        assert client.get(url).status_code == 200, url
    assert "As of" in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the seed counted the figures


@pytest.mark.django_db(transaction=True)  # flush empties tables: outside the test's transaction on PostgreSQL
def test_a_database_with_data_is_refused_unless_fresh(capsys):
    call_command("seed", "national", "--workers", "30")
    with pytest.raises(CommandError, match="already has data"):
        call_command("seed", "national", "--workers", "30")
    call_command("seed", "national", "--workers", "40", "--fresh")
    assert Worker.objects.count() == 40
