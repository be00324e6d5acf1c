"""The set-based writer queues what the caller's selection gives — recipient, worker, mobile, body — and the
application's moves give each worker's login (none for a worker without one) and mobile."""

import datetime

import pytest
from django.utils import timezone, translation

from yuanmeng.applications.models import Application
from yuanmeng.applications.transitions import move_selected
from yuanmeng.applications.workflow import ROUND_COMMIT, Action, State
from yuanmeng.notify.models import Message
from yuanmeng.notify.services import notify_workers_selected, worker_text

pytestmark = pytest.mark.django_db


def queued(worker) -> tuple:
    message = Message.objects.filter(worker=worker).latest("id")
    return message.recipient_id, message.mobile, message.subject, message.body


def test_the_selection_gives_recipient_worker_mobile_and_body(tree):
    worker = tree.member(name="有账号")
    queued_count = notify_workers_selected(
        selection="SELECT %s AS recipient_id, %s AS worker_id, %s AS mobile, %s AS body, '' AS detail, "
                  "CAST(NULL AS BIGINT) AS about_id, '' AS about_label",
        params=[worker.user_id, worker.pk, "13800000000", "正文"], subject="主题", now=timezone.now())
    assert queued_count == 1
    assert queued(worker) == (worker.user_id, "13800000000", "主题", "正文")


def test_a_services_move_messages_each_worker_at_their_login_and_mobile(tree, people, policy):
    no_login = tree.worker(name="无账号", union_member_since=datetime.date.today() - datetime.timedelta(days=400))
    applications = [tree.apply(people.worker, policy), tree.apply(no_login, policy, by=people.enterprise)]
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(state=State.DIPLOMA_VERIFIED)
    with translation.override("en"):  # the officer's language: the workers read the site's
        subject = worker_text("Study subsidy")
        moved = move_selected(selection="FROM applications_application a WHERE a.id IN (%s, %s)",
                              params=[a.pk for a in applications], from_state=State.DIPLOMA_VERIFIED,
                              action=Action.IN_BATCH, service=ROUND_COMMIT, by=tree.root_user, now=timezone.now(),
                              subject=subject, body_params=["已入批次"])
    assert moved == 2 and subject != "Study subsidy"
    assert queued(people.worker) == (people.worker.user_id, people.worker.mobile, subject, "已入批次")
    assert queued(no_login) == (None, no_login.mobile, subject, "已入批次")
