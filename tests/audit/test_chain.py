"""Every change leaves a hash-chained audit entry; tampering with any of them is detected."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yuanmeng.audit.models import AuditCheck, AuditEntry, AuditHead
from yuanmeng.audit.services import audit_record, audit_verify
from yuanmeng.orgs.roles import Role
from yuanmeng.people.services import worker_update

pytestmark = pytest.mark.django_db


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_changes_are_recorded_with_who_what_before_and_after(tree):
    worker = tree.worker(name="旧名")
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    worker_update(by=officer, worker=worker, name="新名", bank_account="6222020200998877662")
    entry = AuditEntry.objects.filter(action="worker.update").get()
    assert entry.actor == officer and entry.organisation == tree.tianhe_firm.organisation
    assert entry.before["name"] == "旧名" and entry.after["name"] == "新名"
    assert entry.after["bank_account"] == "6222***********7662"  # masked, never in clear
    assert set(entry.after) == {"name", "bank_account"}


def test_unchanged_save_writes_nothing(tree):
    worker = tree.worker(name="不变")
    before = AuditEntry.objects.count()
    worker_update(by=tree.root_user, worker=worker, name="不变")
    assert AuditEntry.objects.count() == before


def test_roles_and_organisations_are_audited(tree):
    tree.staff(Role.AUDITOR, tree.city)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"organisation.create", "enterprise.register", "user.create", "role.grant"} <= actions


def test_intact_chain_verifies(tree):
    tree.worker()
    result = audit_verify()
    assert result.ok and result.checked == AuditEntry.objects.count()
    call_command("audit", "verify")


def test_an_entry_is_written_with_the_head_moved_to_it(tree):
    """On PostgreSQL the entry's INSERT carries the head's UPDATE (one statement); on SQLite, two."""
    with CaptureQueriesContext(connection) as sent, transaction.atomic():
        entry = audit_record(actor=tree.root_user, action="worker.update", obj=tree.city)
    audit = [query["sql"] for query in sent.captured_queries if "audit_" in query["sql"]]
    assert len(audit) == (2 if connection.vendor == "postgresql" else 3), audit  # the head locked first
    assert AuditHead.objects.values_list("seq", "hash").get() == (entry.seq, entry.hash)
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash and audit_verify().ok


def test_editing_one_entry_by_raw_sql_is_detected(tree):
    tree.worker()
    victim = AuditEntry.objects.order_by("seq")[2]
    raw("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["someone else", victim.pk])
    result = audit_verify()
    assert not result.ok
    assert f"entry {victim.seq}: content does not match its hash (edited)" in result.problems
    with pytest.raises(CommandError, match="audit trail broken"):
        call_command("audit", "verify")


def test_editing_the_json_payload_is_detected(tree):
    worker = tree.worker()
    worker_update(by=tree.root_user, worker=worker, name="改过")
    entry = AuditEntry.objects.get(action="worker.update")
    raw("UPDATE audit_auditentry SET after = %s WHERE id = %s", ['{"name": "没改过"}', entry.pk])
    assert not audit_verify().ok


def test_deleting_an_entry_is_detected(tree):
    tree.worker()
    middle = AuditEntry.objects.order_by("seq")[3]
    raw("DELETE FROM audit_auditentry WHERE id = %s", [middle.pk])
    assert any("missing" in p for p in audit_verify().problems)


def test_deleting_the_newest_entry_is_detected(tree):
    newest = AuditEntry.objects.order_by("-seq").first()
    raw("DELETE FROM audit_auditentry WHERE id = %s", [newest.pk])
    assert any("chain head" in p for p in audit_verify().problems)


def test_rewriting_an_entry_and_its_hash_still_breaks_the_next_link(tree):
    tree.worker()
    entries = list(AuditEntry.objects.order_by("seq")[:2])
    first = entries[0]
    first.actor_label = "forged"
    first.sign()  # even with the key
    raw("UPDATE audit_auditentry SET actor_label = %s, hash = %s WHERE id = %s", ["forged", first.hash, first.pk])
    assert f"entry {entries[1].seq}: does not follow on from the entry before it" in audit_verify().problems


def test_entries_cannot_be_changed_through_the_orm(tree):
    entry = AuditEntry.objects.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_audit_pages_are_for_audit_roles_only(tree, login):
    auditor = tree.staff(Role.AUDITOR, tree.city)
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    client = login(auditor)
    assert client.get("/audit/").status_code == 200
    assert "not been checked" in client.get("/audit/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/audit/verify/")
    assert "intact" in client.get("/audit/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/audit/verify/")  # within 10 minutes: the stored result is shown, the chain is not re-walked
    assert AuditCheck.objects.count() == 1
    assert login(officer).get("/audit/").status_code == 404


def test_a_change_hidden_by_the_mask_is_still_audited(tree):
    worker = tree.worker(bank_account="6217990388713570989", mobile="13912345678")
    worker_update(by=tree.root_user, worker=worker, bank_account="6217889999999990982", mobile="13900005678")
    entry = AuditEntry.objects.get(action="worker.update")
    assert set(entry.after) == {"bank_account", "mobile"}
    assert "6217889999999990982" not in str(entry.after)
