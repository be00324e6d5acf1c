"""The surveys' pages run a pinned number of queries, with few rows and with many (no query per row)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yuanmeng.surveys.models import Audience, QuestionKind
from yuanmeng.surveys.services import question_add, response_submit, survey_create, survey_send

PAGES = [  # (url, who, queries)
    ("/surveys/", "district", 4),
    ("/surveys/{survey}/", "district", 8),
    ("/surveys/{draft}/", "district", 6),
    ("/surveys/questions/{text}/texts/", "district", 6),
    ("/surveys/answer/", "worker", 5),  # a page and its capped count
    ("/surveys/answer/", "officer", 4),  # nothing addressed: no rows to count
]


def _grow(needs, tree, n: int) -> None:
    """``n`` more surveys (each sent, with an extra choice question) and ``n`` more workers' answers."""
    now = timezone.now()
    for number in range(n):
        survey = survey_create(by=needs.district, organisation=tree.tianhe, title=f"调查{number}",
                               audience=Audience.WORKERS, opens_at=now - datetime.timedelta(days=1),
                               closes_at=now + datetime.timedelta(days=3))
        question_add(by=needs.district, survey=survey, kind=QuestionKind.SINGLE, text="问题", options=["甲", "乙"])
        survey_send(by=needs.district, survey=survey, targets=[tree.tianhe])
    for _number in range(n):
        response_submit(by=tree.member().user, survey=needs.survey, answers=needs.full())


def _counts(client, login, needs, urls) -> list[int]:
    found = []
    for url, who in urls:
        login(getattr(needs, who) if who != "worker" else needs.worker.user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        found.append(len(captured))
    return found


def test_pages_run_a_pinned_number_of_queries(client, login, needs, tree):
    needs.send()
    response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full())
    draft = survey_create(by=needs.district, organisation=tree.tianhe, title="草稿", audience=Audience.ENTERPRISES,
                          opens_at=timezone.now(), closes_at=timezone.now() + datetime.timedelta(days=3))
    question_add(by=needs.district, survey=draft, kind=QuestionKind.SINGLE, text="问题", options=["甲", "乙"])
    ids = {"survey": needs.survey.pk, "draft": draft.pk, "text": needs.text.pk}
    urls = [(url.format(**ids), who) for url, who, _n in PAGES]
    few = _counts(client, login, needs, urls)
    _grow(needs, tree, 8)
    many = _counts(client, login, needs, urls)
    assert few == many == [n for _url, _who, n in PAGES]
