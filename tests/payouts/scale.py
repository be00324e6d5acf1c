"""Many verified applications at once, inserted in bulk (the payout tests are about paying, not applying)."""

import datetime

from django.utils import timezone
from stdnum.cn import ric

from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.masking import mask_number
from yuanmeng.core.validators import birth_date_and_sex
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import Level, PriorityGroup

GROUP_RANKS = {PriorityGroup.MODEL_WORKER: 0, PriorityGroup.LABOUR_MEDAL: 1, PriorityGroup.FRONT_LINE: 2}


def id_number(n: int) -> str:
    birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=n // 900)
    body = f"440106{birth:%Y%m%d}{n % 900 + 100:03d}"
    return body + ric.calc_check_digit(body + "0")


def verified_applications(tree, policy, count: int, *, start: int = 0, group=lambda n: "", employer=None,
                          level=Level.COLLEGE, bank=True) -> list[Application]:
    employer = employer or tree.tianhe_firm
    workers = []
    for n in range(start, start + count):
        number, account = id_number(n), f"6222{n:015d}"
        birth, sex = birth_date_and_sex(number)
        workers.append(Worker(
            name=f"职工{n}", id_number=number, id_number_index=blind_index(number),
            id_number_masked=mask_number(number), birth_date=birth, sex=sex, mobile=f"137{n:08d}",
            employer=employer, job_category="production", bank_name="工商银行" if bank else "",
            bank_account=account if bank else "", bank_account_index=blind_index(account) if bank else "",
            bank_account_masked=mask_number(account) if bank else ""))
    workers = Worker.objects.bulk_create(workers, batch_size=2000)
    base = timezone.now() - datetime.timedelta(days=30)
    applications = [
        Application(worker=w, policy=policy, organisation=employer.organisation, area_id=tree.tianhe.pk
                    if employer.organisation.path.startswith(tree.tianhe.path) else tree.haizhu.pk,
                    level=level, programme_type="open_university", school=tree.school_profile, major="数控技术",
                    study_mode="part_time", enrolment_date=datetime.date(2023, 3, 1), student_number=f"S{n}",
                    state=State.DIPLOMA_VERIFIED, priority_group=group(n),
                    priority_rank=GROUP_RANKS.get(group(n), len(GROUP_RANKS)),
                    submitted_at=base + datetime.timedelta(seconds=n), certificate_number=f"C{n:012d}",
                    graduation_date=datetime.date(2026, 7, 1))
        for n, w in zip(range(start, start + count), workers, strict=True)]
    return Application.objects.bulk_create(applications, batch_size=2000)
