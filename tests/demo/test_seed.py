"""`yuanmeng seed demo` builds the demo Guangzhou through the services, with a sound audit trail."""

import pytest
from django.core.management import call_command

from yuanmeng.accounts.models import Invitation
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.audit.services import audit_verify
from yuanmeng.core.validators import DocumentType
from yuanmeng.demo import build as demo
from yuanmeng.funds.services import funds_verify
from yuanmeng.orgs.models import Enterprise, Organisation, OrgKind
from yuanmeng.payouts.models import Batch, BatchStatus, LotteryDraw
from yuanmeng.people.models import MembershipState, Worker
from yuanmeng.policies.models import Policy
from yuanmeng.stats.models import Refresh, RegistryRollup
from yuanmeng.surveys.models import Response

pytestmark = pytest.mark.django_db


def test_demo_has_the_city_its_districts_enterprises_schools_and_logins(client, capsys):
    call_command("seed", "demo", "--workers", "180")
    out = capsys.readouterr().out
    assert Organisation.objects.filter(kind=OrgKind.DISTRICT, parent__code="GZ").count() == 11
    assert Organisation.objects.filter(kind=OrgKind.SCHOOL).count() == 3
    assert Enterprise.objects.count() >= 50
    assert Worker.objects.filter(membership=MembershipState.CONFIRMED).count() == 180
    waiting = Worker.objects.filter(membership=MembershipState.PENDING)  # signed up by the invitation link
    assert waiting.count() == 2 and Invitation.objects.filter(enterprise=waiting[0].employer).exists()
    assert set(Worker.objects.values_list("document_type", flat=True)) == set(DocumentType.values)
    codes = [(worker.id_number[:6], worker.birth_date.year) for worker in Worker.objects.all()]
    assert any(code == "440106" and born < 1985 for code, born in codes)  # 天河区's code dates from 1985
    assert any(code in ("440117", "440118") and born < 1996 for code, born in codes)  # 从化, 增城: 2014
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert Batch.objects.filter(status=BatchStatus.RESULTS_IMPORTED).exists()
    assert funds_verify().ok
    assert Policy.objects.filter(parent__isnull=False).count() == 2  # district and enterprise matching
    assert Response.objects.exclude(training_order=None).count() == 2  # answers turned into training orders
    draw = LotteryDraw.objects.get()  # a round drawn by lottery, its public page open to anyone
    assert draw.round.funded_count and draw.seed_confirmed_by != draw.seed_entered_by
    registry = RegistryRollup.objects.get(organisation__code="GZ")  # counted at once: the home shows figures
    assert registry.workers == Worker.objects.filter(employer__organisation__path__startswith=registry.organisation.path
                                                     ).count() and Refresh.objects.exists()
    assert client.get(f"/lottery/{draw.code}/").status_code == 200
    call_command("lottery", "verify", draw.code)
    notices = client.get("/notices/").content.decode()  # the drawn round is on public notice, with its contact
    assert f"/notices/{draw.code}/" in notices
    assert "12351" in client.get(f"/notices/{draw.code}/").content.decode()
    assert audit_verify().ok
    for username in demo.DEMO_LOGINS:
        assert username in out
        response = client.post("/login/", {"username": username, "password": demo.PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.post("/logout/")


def test_second_run_changes_nothing(capsys):
    call_command("seed", "demo", "--workers", "5")
    count = Worker.objects.count()
    call_command("seed", "demo", "--workers", "5")
    assert Worker.objects.count() == count
    assert "nothing changed" in capsys.readouterr().out
