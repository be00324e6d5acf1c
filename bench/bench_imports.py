"""Worker import at scale: rows/s and peak memory of the streaming import, against django-import-export.

    .venv/bin/python bench/bench_imports.py --format csv                      # 100,000 and 1,000,000 rows
    .venv/bin/python bench/bench_imports.py --format xlsx --rows 100000 1000000 --peer-rows 20000
    .venv/bin/python bench/bench_imports.py --format csv --rows 20000 --peer none --profile /tmp/imp.prof

Builds a throwaway database (a SQLite file in a new directory under /tmp, or the PostgreSQL database
`yuanmeng_bench_imports` with --postgres, dropped at the end), an organisation tree with eight enterprises and a
city administrator, then writes N worker rows to a file (valid GB 11643 identity numbers, unique per row; real
mobiles; the enterprises' credit codes; job category 一线生产; every optional column). Writing the file is
timed apart and is not part of any figure.

Each import runs in a fresh subprocess into an empty worker table, so its peak memory is its own: peak RSS
(``ru_maxrss``, which counts what openpyxl, lxml and the database driver allocate outside Python) and, with
--tracemalloc, the Python heap's peak as well (it slows the run). The peer is the same rows, from the same kind
of file, through a django-import-export ``ModelResource`` for ``people.Worker`` that does what a fair resource
must: the project's ``clean_worker_fields`` and ``apply_worker_fields`` in its hooks (so the blind index, masked
copy, birth date and sex are derived and the numbers encrypted exactly as the engine does), the employer looked
up by credit code (the library's ``ForeignKeyWidget``, a query per row; unlike the engine it does not check that
the enterprise is in the importer's scope, which favours the peer), existing rows matched by the identity number's
blind index, all or nothing. "default" is the library's defaults; "bulk" is its documented fast path (``use_bulk``,
``skip_diff``, ``CachedInstanceLoader``). Prints figures; asserts nothing.
"""

import argparse
import datetime
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import figure  # noqa: E402

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DB = os.environ.get("YUANMENG_BENCH_DB", "yuanmeng_bench_imports")
HEADERS = ("姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别", "入会日期", "农民工", "新就业形态",
           "开户银行", "银行账号")
# County codes that existed for every birth year generated (1985–2004): local districts and migrants' homes.
REGIONS = ("440106", "440104", "440103", "440105", "440111", "440112", "440101", "440102", "430102", "450102",
           "360102", "420102", "410102")
BIRTH_DAYS = 7300  # births from 1985-01-01, twenty years
MOBILE_PREFIXES = ("139", "138", "137", "136", "150", "151", "158", "186", "188", "199")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
         "秀兰", "霞", "平", "刚", "桂英", "建华", "志强")
BANKS = ("工商银行", "建设银行", "农业银行", "中国银行", "广州农商银行")


def max_rss_mb() -> float:
    """The largest resident set of this process or of any process it started and waited for (the import checks
    long files in checking processes, see ``stop_fork_server``): the memory one of them needed at its peak."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    """CPU time of this process and of the processes it waited for (the checkers, through their fork server)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


# --- the rows -------------------------------------------------------------------------------------------------

def worker_row(n: int, credit_codes: list[str]) -> list:
    """Row ``n`` of the file, the same whatever the file's length (so the 100k file is the 1M file's head).

    The identity number is unique per row: (region, birth date, serial) is a bijection of n.
    """
    from stdnum import luhn
    from stdnum.cn import ric

    region = REGIONS[n % len(REGIONS)]
    q = n // len(REGIONS)
    birth = datetime.date(1985, 1, 1) + datetime.timedelta(days=q % BIRTH_DAYS)
    body = f"{region}{birth:%Y%m%d}{q // BIRTH_DAYS + 1:03d}"
    card = f"6222{n:014d}"  # a card number carries its Luhn check digit: the import refuses a wrong one
    member_since = (datetime.date(2010, 1, 1) + datetime.timedelta(days=n % 5000)) if n % 7 else None
    return [
        SURNAMES[n % len(SURNAMES)] + GIVEN[(n // len(SURNAMES)) % len(GIVEN)],
        body + ric.calc_check_digit(body + "0"),
        MOBILE_PREFIXES[n % len(MOBILE_PREFIXES)] + f"{n:08d}",
        credit_codes[n % len(credit_codes)],
        "一线生产",
        member_since,
        "是" if n % 3 == 0 else "否",
        "是" if n % 11 == 0 else "否",
        BANKS[n % len(BANKS)],
        card + luhn.calc_check_digit(card),
    ]


def write_file(path: Path, fmt: str, rows: int, credit_codes: list[str]) -> float:
    """Write the file; seconds taken."""
    started = time.perf_counter()
    if fmt == "csv":
        import csv

        with open(path, "w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(HEADERS)
            for n in range(rows):
                row = worker_row(n, credit_codes)
                row[5] = row[5].isoformat() if row[5] else ""
                writer.writerow(row)
    else:
        import xlsxwriter

        workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = workbook.add_worksheet("职工")
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, HEADERS)
        for n in range(rows):
            row = worker_row(n, credit_codes)
            for column, value in enumerate(row):
                if column == 5:
                    if value:
                        sheet.write_datetime(n + 1, column, value, date_format)
                else:
                    sheet.write_string(n + 1, column, value)  # identity and account numbers stay text
        workbook.close()
    return time.perf_counter() - started


# --- the database ---------------------------------------------------------------------------------------------

def configure(postgres: bool, *, create: bool) -> None:
    """Point Django at the bench database (created, and migrated, by the parent only) and set it up."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
    if postgres:
        if create:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
                conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)  # the SQLite file under $YUANMENG_VAR
    import django

    django.setup()
    if create:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def drop_postgres() -> None:
    import psycopg
    from django.db import connection

    connection.close()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


def build_orgs():
    """The tree of tests.builders, eight enterprises, and a city administrator: (user pk, credit codes)."""
    from django.conf import settings

    from tests.builders import Tree
    from yuanmeng.orgs.roles import Role

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    tree = Tree()
    firms = [tree.tianhe_firm, tree.haizhu_firm] + [
        tree.enterprise(tree.tianhe if i % 2 else tree.haizhu, f"圆梦基准{i}号制造有限公司",
                        region="440106" if i % 2 else "440105") for i in range(6)
    ]
    admin = tree.staff(Role.CITY_ADMIN, tree.city, username="bench-city-admin")
    return admin.pk, [firm.credit_code for firm in firms]


def empty_workers() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE people_worker CASCADE")
        else:
            cursor.execute("DELETE FROM people_worker")


# --- the children: one import each -----------------------------------------------------------------------------

def child_engine(args) -> dict:
    from django.contrib.auth import get_user_model

    from yuanmeng.core.imports import run_import
    from yuanmeng.people.imports import WORKERS

    user = get_user_model().objects.get(pk=args.user)
    return measured(args, lambda: _engine_counts(run_import(WORKERS, by=user, source=args.source,
                                                            all_or_nothing=True)))


def _engine_counts(report) -> dict:
    return {"rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "errors": report.errors, "written": report.written,
            "first_errors": report.first_errors[:3]}


def peer_resource(bulk: bool):
    """A django-import-export resource for workers, as a careful team would write it."""
    from import_export import fields, resources, widgets
    from import_export.instance_loaders import CachedInstanceLoader, ModelInstanceLoader

    from yuanmeng.core.crypto import blind_index
    from yuanmeng.core.imports import choice_words
    from yuanmeng.core.spreadsheets import header_key, to_date, to_text
    from yuanmeng.core.validators import validate_id_number
    from yuanmeng.orgs.models import Enterprise
    from yuanmeng.people.imports import _yes_no
    from yuanmeng.people.models import JobCategory, Worker
    from yuanmeng.people.services import apply_worker_fields, clean_worker_fields

    jobs = choice_words(JobCategory)

    class IdentityIndex(widgets.Widget):
        """The identity number's blind index: how an existing worker is found."""

        def clean(self, value, row=None, **kwargs):
            return blind_index(validate_id_number(to_text(value)))

    class WorkerResource(resources.ModelResource):
        id_number_index = fields.Field(attribute="id_number_index", column_name="身份证号", widget=IdentityIndex())
        employer = fields.Field(attribute="employer", column_name="单位统一社会信用代码",
                                widget=widgets.ForeignKeyWidget(Enterprise, field="credit_code"))

        class Meta:
            model = Worker
            fields = ("id_number_index", "employer")
            import_id_fields = ("id_number_index",)
            use_bulk = bulk
            skip_diff = bulk
            instance_loader_class = CachedInstanceLoader if bulk else ModelInstanceLoader

        def before_import_row(self, row, **kwargs):
            member_since = row["入会日期"]
            row["_cleaned"] = clean_worker_fields({
                "name": to_text(row["姓名"]), "id_number": to_text(row["身份证号"]), "mobile": to_text(row["手机号"]),
                "job_category": jobs.get(header_key(to_text(row["岗位类别"])), row["岗位类别"]),
                "union_member_since": to_date(member_since) if to_text(member_since) else None,
                "is_migrant_worker": _yes_no(row["农民工"]), "is_new_employment_form": _yes_no(row["新就业形态"]),
                "bank_name": to_text(row["开户银行"]), "bank_account": to_text(row["银行账号"]),
            })

        def before_save_instance(self, instance, row, **kwargs):
            apply_worker_fields(instance, row["_cleaned"])

    return WorkerResource()


def child_peer(args) -> dict:
    from import_export.formats import base_formats

    worker_resource = peer_resource(bulk=args.child == "peer-bulk")

    def run() -> dict:
        fmt = base_formats.CSV(encoding="utf-8") if args.source.endswith(".csv") else base_formats.XLSX()
        with open(args.source, fmt.get_read_mode(), **({} if fmt.is_binary() else {"encoding": "utf-8"})) as file:
            dataset = fmt.create_dataset(file.read())
        result = worker_resource.import_data(dataset, dry_run=False, use_transactions=True,
                                             rollback_on_validation_errors=True)
        totals = dict(result.totals)
        first = [str(e.error) for _n, errors in result.row_errors()[:3] for e in errors[:1]]
        first += [str(r.error_dict)[:300] for r in result.invalid_rows[:3]]
        return {"rows": result.total_rows, "created": totals.get("new", 0), "updated": totals.get("update", 0),
                "unchanged": totals.get("skip", 0), "errors": totals.get("error", 0) + totals.get("invalid", 0),
                "written": not (result.has_errors() or result.has_validation_errors()), "first_errors": first}

    return measured(args, run)


def measured(args, work) -> dict:
    """Run ``work`` once: seconds, and peak RSS (and Python heap peak with --tracemalloc)."""
    import gc

    gc.collect()
    base_rss = max_rss_mb()
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    if args.warm:
        warm_fork_server()
    started, cpu_started = time.perf_counter(), cpu_seconds()
    counts = work()
    seconds = time.perf_counter() - started
    stop_fork_server()
    cpu = cpu_seconds() - cpu_started
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    heap_peak = None
    if args.tracemalloc:
        heap_peak = tracemalloc.get_traced_memory()[1] / 1024**2
        tracemalloc.stop()
    return {**counts, "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": max_rss_mb(), "base_rss_mb": base_rss,
            "heap_peak_mb": heap_peak}


def warm_fork_server() -> None:
    """Start the checking processes' fork server before the clock starts, as a running worker has it (it starts
    once per worker process: Python and Django's set-up, about a second)."""
    from yuanmeng.core.batch_processes import BatchProcesses

    with BatchProcesses(_same, None, 1, timeout=60) as processes:
        list(processes.map([[1]]))


def _same(batch: list, _rules) -> list:
    return batch


def stop_fork_server() -> None:
    """The checking processes are the fork server's children, not ours: stopping it (and waiting for it) adds
    their CPU time and peak memory, and its own, to this process's RUSAGE_CHILDREN."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # the standard library's own test hook; there is no public one


def run_child(kind: str, source: Path, args, user_pk: int, profile: str = "") -> dict:
    command = [sys.executable, __file__, "--child", kind, "--source", str(source), "--user", str(user_pk)]
    command += ["--postgres"] if args.postgres else []
    command += ["--tracemalloc"] if args.tracemalloc else []
    command += ["--warm"] if args.warm else []
    command += ["--profile", profile] if profile else []
    done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    result_lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode or not result_lines:
        sys.exit(f"{kind} import failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(result_lines[-1].removeprefix("RESULT "))


# --- the parent -----------------------------------------------------------------------------------------------

def show(label: str, rows: int, r: dict) -> None:
    heap = f", Python heap peak {r['heap_peak_mb']:,.0f} MB" if r["heap_peak_mb"] is not None else ""
    print(f"  {label}: {r['rows']:,} rows in {r['seconds']:,.1f} s = {r['rows'] / r['seconds']:,.0f} rows/s "
          f"(CPU {r['cpu_seconds']:,.1f} s); "
          f"peak RSS {r['peak_rss_mb']:,.0f} MB (process before the import {r['base_rss_mb']:,.0f} MB){heap}; "
          f"created {r['created']:,}, updated {r['updated']:,}, errors {r['errors']:,}, written {r['written']}",
          flush=True)
    if r["errors"] or r["created"] != rows:
        print(f"  !! not a clean import: {r['first_errors']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--peer", choices=("both", "default", "bulk", "none"), default="both",
                        help="django-import-export configurations to run")
    parser.add_argument("--peer-rows", type=int, default=100_000,
                        help="rows for the peer (the head of the same rows; its rate is what is compared)")
    parser.add_argument("--tracemalloc", action="store_true", help="also the Python heap's peak (slower)")
    parser.add_argument("--profile", default="",
                        help="cProfile the smallest engine import into this file (the peer's into FILE.peer-<config>)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and database directory")
    parser.add_argument("--warm", action="store_true",
                        help="start the checking processes' fork server before timing, as a running worker has it")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        configure(args.postgres, create=False)
        result = child_engine(args) if args.child == "engine" else child_peer(args)
        print("RESULT " + json.dumps(result, default=str), flush=True)
        return

    workdir = Path(tempfile.mkdtemp(prefix="ymbench-imports-", dir="/tmp"))
    os.environ["YUANMENG_VAR"] = str(workdir)  # the SQLite file, the encryption key, error files; children share it
    configure(args.postgres, create=True)
    from django.db import connection

    db = connection.vendor
    user_pk, credit_codes = build_orgs()
    print(f"database: {db} ({workdir if db == 'sqlite' else PG_DB}); format: {args.format}; "
          f"{os.cpu_count()} CPUs", flush=True)

    files: dict[int, Path] = {}

    def file_for(rows: int) -> Path:
        if rows not in files:
            path = workdir / f"workers-{rows}.{args.format}"
            seconds = write_file(path, args.format, rows, credit_codes)
            print(f"wrote {rows:,} rows to {path.name} in {seconds:,.1f} s ({path.stat().st_size / 1024**2:,.1f} MB)"
                  " — not timed below", flush=True)
            files[rows] = path
        return files[rows]

    table = []
    sizes = sorted(set(args.rows))
    for rows in sizes:
        source = file_for(rows)
        empty_workers()
        connection.close()
        profile = args.profile if rows == sizes[0] else ""
        result = run_child("engine", source, args, user_pk, profile)
        show(f"engine, {rows:,} rows", rows, result)
        table.append(("engine", rows, result))

    configs = {"both": ["default", "bulk"], "none": []}.get(args.peer, [args.peer])
    for config in configs:
        source = file_for(args.peer_rows)
        empty_workers()
        connection.close()
        result = run_child(f"peer-{config}", source, args, user_pk,
                           f"{args.profile}.peer-{config}" if args.profile else "")
        show(f"django-import-export ({config}), {args.peer_rows:,} rows", args.peer_rows, result)
        table.append((f"DIE {config}", args.peer_rows, result))

    print()
    print(f"{'import':<12} {'rows':>10}  {'format':<6} {'db':<10} {'seconds':>8} {'CPU s':>8} {'rows/s':>8} "
          f"{'peak RSS MB':>12}{'  heap MB' if args.tracemalloc else ''}")
    for label, rows, r in table:
        heap = f" {r['heap_peak_mb']:>8,.0f}" if args.tracemalloc else ""
        print(f"{label:<12} {rows:>10,}  {args.format:<6} {db:<10} {r['seconds']:>8,.1f} "
              f"{r['cpu_seconds']:>8,.1f} {r['rows'] / r['seconds']:>8,.0f} {r['peak_rss_mb']:>12,.0f}{heap}")
    for label, rows, r in table:
        figure("imports", f"worker import, {label}", r["rows"] / r["seconds"], "rows/s",
               size=f"{rows:,} rows, {args.format}, {db}")
    engines = [(rows, r) for label, rows, r in table if label == "engine"]
    if len(engines) > 1:
        (small, r_small), (large, r_large) = engines[0], engines[-1]
        ratio = r_large["peak_rss_mb"] / r_small["peak_rss_mb"]
        print(f"peak RSS at {large:,} / at {small:,} rows: {ratio:.2f} (target ≤ 1.30: "
              f"{'met' if ratio <= 1.3 else 'MISSED'})")
    if engines:
        near = min(engines, key=lambda e: abs(e[0] - 100_000))
        engine_rate = near[1]["rows"] / near[1]["seconds"]
        for label, rows, r in table:
            if label.startswith("DIE"):
                speed = engine_rate / (r["rows"] / r["seconds"])
                note = "" if rows == near[0] else f"; peer on {rows:,} rows, engine on {near[0]:,}"
                print(f"engine speed / {label}: {speed:.1f}× (target ≥ 5×: {'met' if speed >= 5 else 'MISSED'}{note})")
                figure("imports", "worker import, engine vs django-import-export", engine_rate, "rows/s",
                       reference=r["rows"] / r["seconds"], reference_what=f"{label}, {rows:,} rows",
                       size=f"{near[0]:,} rows, {args.format}, {db}")

    if db == "postgresql":
        drop_postgres()
    if not args.keep:
        for path in files.values():
            path.unlink(missing_ok=True)
        import shutil

        connection.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
