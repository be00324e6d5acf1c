"""Foundation figures: scoped lists and look-ups at scale, audit append and verify, worker registration.

    .venv/bin/python bench/bench_foundation.py [--workers 100000] [--postgres]

Builds a fresh database (a temporary SQLite file, or the database `yuanmeng_bench` on the local
PostgreSQL with --postgres), generates a city with 11 districts and N workers (generated rows are
inserted in bulk; the figures below go through the real services, selectors and pages), then prints
timings. Nothing here asserts: it prints figures for people to compare.
"""

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import figure  # noqa: E402


def configure(postgres: bool, *, quick_passwords: bool = False, reuse: bool = False) -> bool:
    """A fresh, migrated bench database (PostgreSQL's `yuanmeng_bench`, or SQLite in a new temporary folder).
    With ``YUANMENG_BENCH_TEMPLATE`` (a migrated database: a PostgreSQL name or a SQLite file) it is copied from
    that instead of migrated: the suite runs every benchmark at a tiny size, and migrating took most of each.
    ``quick_passwords``: MD5 password hashes, for benchmarks that make logins but do not measure log-in.
    ``reuse`` (PostgreSQL): keep the database if it exists, for a benchmark that measures again the data set an
    earlier run of it built (a national one takes half an hour); returns whether it was kept."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
    name = os.environ.get("YUANMENG_BENCH_DB", "yuanmeng_bench")  # two people benchmarking at once
    if postgres and reuse:  # the data set's encryption keys: the same folder for the database every time
        os.environ["YUANMENG_VAR"] = str(Path(tempfile.gettempdir()) / f"ymbench-{name}")
        Path(os.environ["YUANMENG_VAR"]).mkdir(mode=0o700, exist_ok=True)
    else:
        os.environ["YUANMENG_VAR"] = tempfile.mkdtemp(prefix="ymbench-")
    template = os.environ.get("YUANMENG_BENCH_TEMPLATE")
    if postgres:
        import psycopg


        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            kept = reuse and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not kept:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
                conn.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        os.environ.pop("DATABASE_URL", None)
        if template:
            shutil.copyfile(template, Path(os.environ["YUANMENG_VAR"]) / "yuanmeng.sqlite3")
    import django

    django.setup()
    if quick_passwords:
        from django.conf import settings

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not template:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    return bool(postgres and kept)


def timed(fn, repeat: int = 20) -> float:
    """Median milliseconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bench_id_number(n: int, origin: datetime.date = datetime.date(1970, 1, 1)) -> str:
    """A valid, unique identity number for row ``n``: one birth date per thousand rows from ``origin``, serial
    n % 1000."""
    from stdnum.cn import ric

    birth = origin + datetime.timedelta(days=n // 1000)
    body = f"440106{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def generate_workers(city, count: int) -> None:
    from yuanmeng.core.crypto import blind_index
    from yuanmeng.core.masking import mask_number
    from yuanmeng.core.validators import birth_date_and_sex
    from yuanmeng.people.models import Worker

    batch = []
    for n in range(count):
        number, account = bench_id_number(n), f"6222{n:015d}"
        birth, sex = birth_date_and_sex(number)
        batch.append(Worker(
            name=f"职工{n}", id_number=number, id_number_index=blind_index(number),
            id_number_masked=mask_number(number),
            birth_date=birth, sex=sex, mobile=f"139{n:08d}", employer=city.firms[n % len(city.firms)],
            job_category="production", is_migrant_worker=n % 3 == 0, bank_name="工商银行", bank_account=account,
            bank_account_index=blind_index(account), bank_account_masked=mask_number(account),
        ))
        if len(batch) == 5000:
            Worker.objects.bulk_create(batch)
            batch = []
    Worker.objects.bulk_create(batch)


class City:
    def __init__(self):
        from tests.builders import Tree
        from yuanmeng.orgs.models import OrgKind
        from yuanmeng.orgs.services import organisation_create

        tree = Tree()
        self.tree = tree
        self.districts = [tree.tianhe, tree.haizhu] + [
            organisation_create(by=tree.root_user, kind=OrgKind.DISTRICT, code=f"D{i}", name=f"第{i}区总工会",
                                parent=tree.city) for i in range(9)
        ]
        self.firms = [tree.tianhe_firm, tree.haizhu_firm] + [
            tree.enterprise(self.districts[i % len(self.districts)], f"企业{i}有限公司") for i in range(48)
        ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=500, help="workers registered through the service")
    parser.add_argument("--audit-entries", type=int, default=20_000, help="audit entries appended, then verified")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    from tests.builders import id_number, mobile
    from yuanmeng.audit.models import AuditEntry
    from yuanmeng.audit.services import audit_record, audit_verify
    from yuanmeng.orgs.roles import Role
    from yuanmeng.people import selectors
    from yuanmeng.people.models import Worker
    from yuanmeng.people.services import worker_register

    settings.ALLOWED_HOSTS = ["*"]
    city = City()
    tree = city.tree
    started = time.perf_counter()
    generate_workers(city, args.workers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the statistics autovacuum gathers within a minute of a bulk insert:
            cursor.execute("ANALYZE")         # without them the city's worker list, page 200, took 1.1–1.5 s, not 22 ms
    print(f"database: {connection.vendor}; generated {args.workers:,} workers in {time.perf_counter() - started:.1f} s")
    size = f"{args.workers:,} workers, {connection.vendor}"

    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    probe = Worker.objects.filter(employer=tree.tianhe_firm).first()

    for label, user in (("district reviewer", reviewer), ("city admin", admin)):
        client = Client()
        client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
        visible = selectors.worker_list(user=user).count()
        print(f"{label}: sees {visible:,} workers")
        for what, url, query, repeat in (("worker list page 1 (count + page)", "/workers/", {}, 20),
                                         ("worker list, page 200", "/workers/?page=200", {}, 20),
                                         ("API list /api/workers", "/api/workers", {}, 20),
                                         ("search by full identity number", "/workers/", {"q": probe.id_number}, 20),
                                         ("home page (area summary)", "/", {}, 5)):
            ms = timed(lambda c=client, u=url, q=query: c.get(u, q), repeat=repeat)
            figure("foundation", f"{label}: {what}", ms, "ms", size=size)

    n = args.registrations
    started = time.perf_counter()
    for _ in range(n):
        worker_register(by=admin, name="新职工", id_number=id_number(birth="20000101"), mobile=mobile(),
                        employer=tree.tianhe_firm, job_category="service")
    elapsed = time.perf_counter() - started
    figure("foundation", "worker_register (validate, encrypt, insert, audit)", n / elapsed, "workers/s", size=size)

    n = args.audit_entries
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            audit_record(actor=admin, action="bench.append", object_type="bench", object_id=str(i),
                         after={"i": i})
    figure("foundation", "audit_record append (one transaction)", n / (time.perf_counter() - started), "entries/s",
           size=size)
    total = AuditEntry.objects.count()
    started = time.perf_counter()
    result = audit_verify()
    elapsed = time.perf_counter() - started
    figure("foundation", "audit verify", result.checked / elapsed, "entries/s", size=f"{result.checked:,} entries")
    print(f"  audit verify: {result.checked:,} entries in {elapsed:.2f} s, ok={result.ok}, total={total:,}")


if __name__ == "__main__":
    main()
