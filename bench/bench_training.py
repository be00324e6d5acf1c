"""The training network and catalogue at national size (issue 14, decision 0014): N places spread over China and N
courses under 300 cities, the test city holding a Shenzhen-sized share (1,264 courses); then, as a worker of that
city, the places within one hour of a point, the catalogue's first page and capped count, substring searches of
one, two and seven Chinese characters, a category filter — each a median of repeats — and the rate of enrolments
through the service (conditional UPDATE of the seats, audit entry).

    .venv/bin/python bench/bench_training.py --rows 100000 --postgres
    .venv/bin/python bench/bench_training.py --rows 2000                 # SQLite

Places and courses are written with bulk_create, as the data set, not through the services (which the tests
cover). Asserts nothing.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_foundation import configure, timed  # noqa: E402
from bench.common import figure  # noqa: E402

BENCH = "training"
CITY_COURSES = 1264
OTHER_CITIES = 300
POINT = (23.1321, 113.3232)  # 天河城


def build(rows: int):
    from tests.builders import Tree
    from yuanmeng.orgs.models import OrgKind
    from yuanmeng.orgs.services import organisation_create
    from yuanmeng.training.models import Course, Place
    from yuanmeng.training.services import district_and_city

    tree, rng = Tree(), random.Random(14)
    cities = [organisation_create(by=tree.root_user, kind=OrgKind.CITY, code=f"C{n}", name=f"第{n}市总工会",
                                  parent=tree.province) for n in range(min(OTHER_CITIES, max(1, rows // 100)))]
    places = Place.objects.bulk_create(
        Place(owner=tree.tianhe if n % 50 == 0 else cities[n % len(cities)], name=f"培训点{n}",
              place_type="workshop", address=f"地址{n}",
              latitude=POINT[0] + rng.gauss(0, 0.1) if n % 50 == 0 else rng.uniform(20, 45),
              longitude=POINT[1] + rng.gauss(0, 0.1) if n % 50 == 0 else rng.uniform(100, 125))
        for n in range(rows))
    subjects = ("焊工", "电工", "数控车床", "叉车", "养老护理", "二氧化碳保护焊", "直播带货", "安全生产")
    mine, tianhe = min(CITY_COURSES, rows // 2), district_and_city(tree.tianhe)
    for start in range(0, rows, 5000):
        batch = []
        for n in range(start, min(start + 5000, rows)):
            provider = tree.tianhe if n < mine else cities[n % len(cities)]
            subject = subjects[n % len(subjects)]
            course = Course(provider=provider, title=f"{subject}培训班{n}", description=f"{subject}的理论与实操",
                            category="welding" if n % 14 == 0 else "safety", mode="online", hours=4,
                            video_url="https://video.example.cn/1")
            course.search_text = f"{course.title}\n{course.description}".lower()
            course.district, course.city = tianhe if n < mine else (None, provider)
            batch.append(course)
        Course.objects.bulk_create(batch)
    return tree, len(places)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--enrolments", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)
    from django.db import connection

    from yuanmeng.core.pages import count_up_to
    from yuanmeng.training import selectors
    from yuanmeng.training.models import Course
    from yuanmeng.training.services import enrolment_create

    tree, places = build(args.rows)
    worker = tree.member(name="李明")
    user = worker.user
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    size = f"{places:,} places, {Course.objects.count():,} courses, {connection.vendor}"
    print(f"built {size}; load {os.getloadavg()[0]:.1f}", flush=True)
    figure(BENCH, "places within one hour of a point", timed(lambda: selectors.places_near(user, *POINT),
                                                              args.repeat), "ms", size=size)
    searches = {"catalogue": {}, "category filter": {"category": "welding"}, "search 1 character": {"q": "焊"},
                "search 2 characters": {"q": "焊工"}, "search 7 characters": {"q": "二氧化碳保护焊"}}
    for what, filters in searches.items():
        rows = selectors.course_catalogue(user, **filters)
        figure(BENCH, f"{what}: first page", timed(lambda rows=rows: list(rows[:50]), args.repeat), "ms", size=size)
        figure(BENCH, f"{what}: capped count", timed(lambda rows=rows: count_up_to(rows, 10_000), args.repeat), "ms",
               size=size)
    course = selectors.course_catalogue(user).first()
    workers = [tree.member(name=f"学员{n:04d}") for n in range(args.enrolments)]
    started = time.perf_counter()
    for each in workers:
        enrolment_create(by=each.user, worker=each, course=course)
    figure(BENCH, "enrolments through the service", args.enrolments / (time.perf_counter() - started), "per s",
           size=size)


if __name__ == "__main__":
    main()
