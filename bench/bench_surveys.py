"""Needs surveys at the size of a city (issue 14): a survey of 100,000 workers with every one of them answering,
and what its union and a worker read — the results (one grouped query over the answers), the first page of
free-text answers, a worker's "surveys to answer" — each a median of repeats, with the PostgreSQL plan of the
results' tally.

    .venv/bin/python bench/bench_surveys.py --responses 100000 --postgres
    .venv/bin/python bench/bench_surveys.py --responses 300                 # SQLite

The responses and their answers (about five rows each: single, two multiple-choice options, scale, text) are
written with bulk_create, as the data set, not through the answering service (which the tests cover).
Asserts nothing.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_foundation import City, configure, generate_workers, timed  # noqa: E402
from bench.common import figure  # noqa: E402

BENCH = "surveys"


def build(count: int):
    from django.utils import timezone

    from yuanmeng.orgs.roles import Role
    from yuanmeng.surveys.models import Audience, QuestionKind
    from yuanmeng.surveys.services import question_add, survey_create, survey_send

    city = City()
    generate_workers(city, count)
    union = city.tree.staff(Role.CITY_ADMIN, city.tree.city)
    now = timezone.now()
    survey = survey_create(by=union, organisation=city.tree.city, title="职工培训需求调查", audience=Audience.WORKERS,
                           opens_at=now - datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=30))
    add = question_add
    questions = [
        add(by=union, survey=survey, kind=QuestionKind.SINGLE, text="工种", options=["电工", "数控", "焊接", "物流"]),
        add(by=union, survey=survey, kind=QuestionKind.MULTIPLE, text="时间", options=["晚上", "周末", "线上"]),
        add(by=union, survey=survey, kind=QuestionKind.SCALE, text="意愿", scale_min=1, scale_max=5),
        add(by=union, survey=survey, kind=QuestionKind.TEXT, text="建议", required=False),
    ]
    survey_send(by=union, survey=survey, targets=[city.tree.city])
    return city, union, survey, questions


def answer_all(survey, questions) -> int:
    from yuanmeng.people.models import Worker
    from yuanmeng.surveys.models import Answer, Response, Survey

    rng = random.Random(14)
    single, multiple, scale, text = questions
    options = {q.pk: list(q.options.values_list("pk", flat=True)) for q in (single, multiple)}
    workers = list(Worker.objects.values_list("pk", flat=True))
    written = 0
    for start in range(0, len(workers), 5000):
        responses = Response.objects.bulk_create(Response(survey=survey, worker_id=pk)
                                                 for pk in workers[start:start + 5000])
        answers = []
        for response in responses:
            answers.append(Answer(survey=survey, response=response, question=single,
                                  option_id=rng.choice(options[single.pk])))
            answers += [Answer(survey=survey, response=response, question=multiple, option_id=o)
                        for o in rng.sample(options[multiple.pk], 2)]
            answers.append(Answer(survey=survey, response=response, question=scale, value=rng.randint(1, 5)))
            if rng.random() < 0.3:
                answers.append(Answer(survey=survey, response=response, question=text, text="希望多开夜班课程"))
        Answer.objects.bulk_create(answers, batch_size=5000)
        written += len(answers)
    Survey.objects.filter(pk=survey.pk).update(response_count=len(workers))
    return written


def tally_plan(survey) -> str:
    from django.db import connection

    from yuanmeng.surveys.models import Answer

    query = Answer.objects.filter(survey=survey).values("question_id", "option_id", "value").order_by()
    sql, params = query.query.sql_with_params()
    grouped = sql.replace("FROM", ", COUNT(*) FROM", 1) + ' GROUP BY 1, 2, 3'
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_answer")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + grouped, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def addressed_plan(user) -> str:
    """The plan of a worker's first page of surveys to answer: an EXISTS per way of being addressed, no DISTINCT."""
    from django.db import connection

    from yuanmeng.surveys.selectors import surveys_to_answer

    sql, params = surveys_to_answer(user=user)[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_target")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)
    from django.db import connection

    from yuanmeng.surveys.selectors import survey_results, surveys_to_answer, text_answers
    from yuanmeng.surveys.services import _recipients

    city, union, survey, questions = build(args.responses)
    answers = answer_all(survey, questions)
    size = f"{args.responses:,} responses, {answers:,} answers, {connection.vendor}"
    print(f"built {size}; load {os.getloadavg()[0]:.1f}", flush=True)
    figure(BENCH, "survey results (every question's counts)", timed(lambda: survey_results(survey), args.repeat),
           "ms", size=size)
    figure(BENCH, "free-text answers, first page", timed(lambda: list(text_answers(questions[3])[:50]), args.repeat),
           "ms", size=size)
    worker_user = city.tree.member().user
    figure(BENCH, "a worker's surveys to answer", timed(lambda: list(surveys_to_answer(user=worker_user)),
                                                        args.repeat), "ms", size=size)
    figure(BENCH, "recipients counted when sent to the city (up to 10,000)",
           timed(lambda: _recipients(survey, [city.tree.city]), args.repeat), "ms", size=size)
    if connection.vendor == "postgresql":
        print(tally_plan(survey), flush=True)
        print(addressed_plan(worker_user), flush=True)


if __name__ == "__main__":
    main()
