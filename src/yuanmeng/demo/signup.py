"""The demo's sign-ups: the flagship enterprise's invitation link, and two workers who signed up through it and
wait for its union (``enterprise_officer``) under "Members to confirm". Built through the real services: each
asks for a code and reads it from the outbox, as a phone would."""

import random
import re

from yuanmeng.accounts.services import invitation_renew
from yuanmeng.notify.models import Message
from yuanmeng.people.services import sign_up_code_send, worker_sign_up

SEED = 2027


def build_sign_ups(*, officer, enterprise, maker, firm, password: str) -> list:
    """``maker`` (the demo's ``PersonMaker`` on its own random stream) gives believable people."""
    invitation = invitation_renew(by=officer, enterprise=enterprise)
    waiting = []
    for _ in range(2):
        fields = maker.fields(firm, enterprise)
        sign_up_code_send(mobile=fields["mobile"], address=None)
        body = Message.objects.filter(mobile=fields["mobile"], worker=None).latest("id").body
        waiting.append(worker_sign_up(
            name=fields["name"], document_type=fields["document_type"], id_number=fields["id_number"],
            mobile=fields["mobile"], code=re.search(r"\d{6}", body).group(), password=password,
            job_category=fields["job_category"], invitation=invitation.token))
    return waiting


def sign_up_rng() -> random.Random:
    """Its own stream: the people and applications built before stay those of the main one."""
    return random.Random(SEED)
