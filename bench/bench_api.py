"""The API under load from a separate process, against a bare JSON endpoint on the same server.

    .venv/bin/python bench/bench_api.py --applications 1000000 --postgres
    .venv/bin/python bench/bench_api.py --applications 300 --seconds 1 --connections 2     # what the suite runs

Builds a fresh database (as bench_foundation.py does) with N applications (bench_payouts.insert_applications;
every tenth moved to ``confirmed``, the district reviewer's queue), starts gunicorn (``--server-workers`` sync
workers, 2 by default: one per core of the reference machine) on a free loopback port with
``bench/api_settings.py`` (the product's settings and URLs plus the references of ``bench/api_urls.py``), and loads
it with wrk (``--seconds`` per case, at each of ``--connections``, 2 threads) in this order:

- ``bare``: ``GET /bench/bare``, the ceiling;
- ``signed in, session`` and ``signed in, token``: ``GET /bench/signed-in``, a constant answer through ninja behind
  the product's authentication, as the worker and as the reviewer: the floor of an API call that knows its caller;
- ``worker read``: ``GET /api/applications/{id}`` as the worker (session cookie: workers have no API token);
- ``reviewer queue``: ``GET /api/applications?state=confirmed`` with a 天河 district reviewer's token;
- ``register``: ``POST /api/workers`` with an enterprise union officer's token, each request a new worker with a
  valid, unique identity number (bench/register_workers.lua).

Before each case the server is let finish what the last one left queued (``Server.settle``). Prints req/s, p50 and
p99 of each, and each one's ratio to the bare endpoint at the same connections
(``bench.common.figure``), and on Linux the processor time a request cost the server and PostgreSQL (``CPUTime``:
steadier than a rate on a shared machine, and it says where the time went); a case whose answers were not all 2xx
says how many were not. Without wrk on the machine a simple Python load loop (threads over http.client) stands in,
and says so.

On PostgreSQL it first times the reviewer queue's page statement alone, as the server sends it once the list is known
to be over its count's cap: PostgreSQL's processor time for a run, prepared in a warm connection (its backend's
``/proc`` counters, ``--statement-runs``), and its planning (the median of five ``EXPLAIN (SUMMARY)``).
"""

import argparse
import datetime
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_foundation import City, bench_id_number, configure  # noqa: E402
from bench.bench_payouts import insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402

BENCH = "api"
LUA = ROOT / "bench" / "register_workers.lua"
# The registered workers' identity numbers (register_workers.lua): a birth day per thousand from 1966, each run
# starting after the last one a run registered on the database; a case may use 100,000, far more than 10 s bring.
NUMBERS_ORIGIN, NUMBERS_A_CASE = datetime.date(1966, 1, 1), 100_000
REGISTERED_NAME = "压测职工"


@dataclass
class Load:
    """What one load run saw: requests a second, latency percentiles in ms, answers that were not 2xx."""

    rate: float
    p50_ms: float
    p99_ms: float
    not_ok: int
    requests: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving the product (plus ``/bench/bare``) on the benchmark's database, in its own process."""

    def __init__(self, workers: int, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.api_settings", "YUANMENG_TECHNICAL_ERRORS": "0",
               "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--chdir", str(ROOT), "yuanmeng.wsgi:application"],
            env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped while starting")
            try:
                with urllib.request.urlopen(self.base + "/bench/bare", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def settle(self, limit_s: float = 120) -> None:
        """Wait until the requests a finished case left queued are served (wrk closes its connections, the server
        still answers what it accepted): until a bare request is answered within half a second. Otherwise a slow
        case's backlog would be timed in the next one."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.base + "/bench/bare", timeout=limit_s):
                    pass
            except OSError:
                continue
            if time.monotonic() - started < 0.5:
                return

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class CPUTime:
    """The processor time, in seconds, spent by the server (gunicorn's master and workers) and by the PostgreSQL
    backends of the benchmark's database, read from Linux's ``/proc``: the case's cost a request, apart from the
    load generator's and from the waits, which a rate measured on a shared machine mixes in."""

    def __init__(self, server: "Server", database: str | None):
        self.server_pid, self.database = server.process.pid, database

    @staticmethod
    def available() -> bool:
        return Path("/proc/self/stat").exists()

    def seconds(self) -> tuple[float, float]:
        """The server's, and the database's backends' (the server keeps its connections: bench/api_settings.py)."""
        return _cpu_seconds(self._server_pids()), _cpu_seconds(self._backend_pids())

    def _server_pids(self) -> list[int]:
        children = Path(f"/proc/{self.server_pid}/task/{self.server_pid}/children").read_text().split()
        return [self.server_pid, *map(int, children)]

    def _backend_pids(self) -> list[int]:
        if not self.database:
            return []
        pids = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                title = cmdline.read_bytes().decode(errors="replace")
            except OSError:  # the process ended
                continue
            if title.startswith("postgres: ") and f" {self.database} " in title:
                pids.append(int(cmdline.parent.name))
        return pids


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


_DURATION = re.compile(r"([\d.]+)(us|ms|s)\b")


def _ms(text: str) -> float:
    value, unit = _DURATION.match(text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_load(url: str, headers: dict, seconds: int, connections: int, script_args: list[str] | None) -> Load:
    """One wrk run; with ``script_args`` the POST of register_workers.lua."""
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script_args is not None:
        command += ["-s", str(LUA), url, "--", *script_args, str(threads)]
    else:
        command.append(url)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentile = {m.group(1): _ms(m.group(2)) for m in re.finditer(r"^\s+(\d+)%\s+(\S+)\s*$", out, re.M)}
    if not percentile:  # no answer came back within the timeout
        print(out)
        percentile = {"50": float("nan"), "99": float("nan")}
    not_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    not_ok = (int(not_2xx.group(1)) if not_2xx else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return Load(rate=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), p50_ms=percentile["50"],
                p99_ms=percentile["99"], requests=int(re.search(r"(\d+) requests in", out).group(1)), not_ok=not_ok)


def python_load(url: str, headers: dict, seconds: int, connections: int, script_args: list[str] | None) -> Load:
    """The stand-in for wrk: ``connections`` threads, each one keep-alive connection, for ``seconds``."""
    host, port, path = re.match(r"http://([^:/]+):(\d+)(.*)", url).groups()
    samples: list[float] = []
    not_ok = [0]
    lock = threading.Lock()
    numbers = iter(range(int(script_args[0]) if script_args else 0, 10**9))

    def client() -> None:
        conn = HTTPConnection(host, int(port), timeout=10)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with lock:
                n = next(numbers)
            body = None
            if script_args:
                body = script_args[1].replace("%ID%", bench_id_number(n, NUMBERS_ORIGIN)).replace(
                    "%MOBILE%", f"139{n:08d}").encode()
            started = time.perf_counter()
            conn.request("POST" if body else "GET", path, body=body,
                         headers={**headers, **({"Content-Type": "application/json"} if body else {})})
            response = conn.getresponse()
            response.read()
            with lock:
                samples.append((time.perf_counter() - started) * 1000)
                not_ok[0] += not 200 <= response.status < 300

    started = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else samples * 99
    return Load(rate=len(samples) / elapsed, p50_ms=cuts[49], p99_ms=cuts[98], not_ok=not_ok[0],
                requests=len(samples))


def build(n: int) -> None:
    """N applications (one in ten confirmed: the district reviewer's queue), a worker with a login and an
    application of their own, a 天河 district reviewer and an enterprise union officer."""
    from django.conf import settings
    from django.db import connection

    from yuanmeng.orgs.roles import Role

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city = City()
    tree = city.tree
    policy = tree.policy()
    started = time.perf_counter()
    insert_applications(city, policy, n)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE applications_application SET state = 'confirmed' WHERE id % 10 = 0")
        if connection.vendor == "postgresql":  # as autovacuum leaves a table: its visibility map set, so that a
            cursor.execute("VACUUM ANALYZE")     # count can read an index alone
    print(f"database: {connection.vendor}; inserted {n:,} applications in {time.perf_counter() - started:.1f} s")
    tree.apply(tree.member(name="申请人"), policy)
    tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)


def reuse(postgres: bool, var: str) -> None:
    """Connect to the database an earlier run built, with that run's keys in ``var`` (``--reuse``: the same data,
    no minutes of inserting)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
    if not postgres:
        raise SystemExit("--reuse needs --postgres (the SQLite file of a run is temporary)")
    os.environ["YUANMENG_VAR"] = var
    name = os.environ.get("YUANMENG_BENCH_DB", "yuanmeng_bench")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    import django

    django.setup()


def callers():
    """The requests' callers: the applicant's application and session cookie, the reviewer's and the officer's
    new tokens, the officer's enterprise, and the first identity number of this run (``first_unused_number``).
    Returns (application id, cookie, reviewer token, officer
    token, employer id, first number)."""
    from django.conf import settings
    from django.test import Client

    from yuanmeng.accounts.services import api_token_issue
    from yuanmeng.applications.models import Application
    from yuanmeng.orgs.models import Membership
    from yuanmeng.orgs.roles import Role

    settings.ALLOWED_HOSTS = ["*"]
    application = Application.objects.select_related("worker__user").filter(worker__user__isnull=False).first()
    client = Client()
    client.force_login(application.worker.user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    reviewer = Membership.objects.select_related("user").filter(role=Role.DISTRICT_REVIEWER).first().user
    officer = Membership.objects.select_related("organisation__enterprise").filter(
        role=Role.ENTERPRISE_OFFICER).first()
    _token, reviewer_secret = api_token_issue(by=reviewer, name="bench")
    _token, officer_secret = api_token_issue(by=officer.user, name="bench")
    return (application.pk, client.cookies[settings.SESSION_COOKIE_NAME].value, reviewer_secret, officer_secret,
            officer.organisation.enterprise.pk, first_unused_number())


QUEUE = "/api/applications?state=confirmed"


def queue_statement(reviewer: str) -> str:
    """The SQL of the reviewer's queue page as the server sends it once the list is known to be over its count's cap
    (the page alone, decision 0026), its values written in."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {reviewer}")
    client.get(QUEUE)  # counts the list, and remembers one over the cap
    with CaptureQueriesContext(connection) as queries:
        if client.get(QUEUE).status_code != 200:
            raise RuntimeError("the reviewer's queue did not answer")
    return queries.captured_queries[-1]["sql"]


def statement_cost(sql: str, runs: int) -> tuple[float, float]:
    """PostgreSQL's processor time for a run of ``sql``, prepared in a warm connection (µs, its backend's ``/proc``
    counters), and the median of five plannings of it (ms, ``EXPLAIN (SUMMARY)``)."""
    from django.db import connection
    from psycopg import Cursor

    connection.ensure_connection()  # the product's session settings (its join_collapse_limit…)
    backend = [connection.connection.info.backend_pid]
    with Cursor(connection.connection) as cursor:  # Django's own cursors bind on the client, which prepares nothing
        for _ in range(20):
            cursor.execute(sql, prepare=True).fetchall()
        before = _cpu_seconds(backend)
        for _ in range(runs):
            cursor.execute(sql, prepare=True).fetchall()
        spent = _cpu_seconds(backend) - before
        plannings = []
        for _ in range(5):
            lines = [line for (line,) in cursor.execute(f"EXPLAIN (SUMMARY, COSTS OFF) {sql}")]
            plannings.append(float(next(line for line in lines if line.startswith("Planning Time")).split()[2]))
    return spent * 1e6 / runs, statistics.median(plannings)


def first_unused_number() -> int:
    """The first identity number (register_workers.lua's n) after every worker an earlier run registered on this
    database: the next day of birth after theirs."""
    from django.db.models import Max

    from yuanmeng.people.models import Worker

    last = Worker.objects.filter(name=REGISTERED_NAME).aggregate(last=Max("birth_date"))["last"]
    return 0 if last is None else ((last - NUMBERS_ORIGIN).days + 1) * 1000


def numbers_left(first: int, needed: int) -> None:
    """Stop before a run whose last birth date would be in the future (the registration would refuse them all)."""
    last_birth = NUMBERS_ORIGIN + datetime.timedelta(days=(first + needed) // 1000)
    if last_birth >= datetime.date.today():
        raise SystemExit(f"this database's identity numbers for registrations are used up (the next run's would be "
                         f"born up to {last_birth}): build a new database (without --reuse)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, nargs="+", default=[8, 64])
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--statement-runs", type=int, default=300, help="runs of the queue's page statement alone")
    parser.add_argument("--reuse", metavar="VAR", help="load the database an earlier run built (its var folder, "
                        "as that run printed it)")
    args = parser.parse_args()
    if args.reuse:
        reuse(args.postgres, args.reuse)
    else:
        configure(args.postgres)
        build(args.applications)
        print(f"var folder (for --reuse): {os.environ['YUANMENG_VAR']}")
    from django.conf import settings
    from django.db import connections

    from yuanmeng.applications.models import Application

    print(f"{os.cpu_count()} cores; load average " + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    application_id, session, reviewer, officer, employer_id, first_number = callers()
    numbers_left(first_number, NUMBERS_A_CASE * (len(args.connections) + 1))
    size = f"{Application.objects.count():,} applications"
    if args.postgres:
        run_us, planning_ms = statement_cost(queue_statement(reviewer), args.statement_runs)
        figure(BENCH, "reviewer queue, the page's statement: PostgreSQL CPU a run", run_us, "µs", size=size)
        figure(BENCH, "reviewer queue, the page's statement: planning", planning_ms, "ms", size=size)
    connections.close_all()
    load = wrk_load if shutil.which("wrk") else python_load
    print(f"load from {'wrk' if load is wrk_load else 'a Python loop (no wrk on this machine)'}; gunicorn "
          f"{args.server_workers} sync workers; {args.seconds:g} s a case")
    body = json.dumps({"name": REGISTERED_NAME, "id_number": "%ID%", "mobile": "%MOBILE%", "employer_id": employer_id,
                       "job_category": "production"}, ensure_ascii=False)
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"}
    cases = [
        ("signed in, session", "/bench/signed-in", cookie, None),
        ("signed in, token", "/bench/signed-in", {"Authorization": f"Bearer {reviewer}"}, None),
        ("worker read", f"/api/applications/{application_id}", cookie, None),
        ("reviewer queue", QUEUE, {"Authorization": f"Bearer {reviewer}"}, None),
        ("register", "/api/workers", {"Authorization": f"Bearer {officer}"}, body),
    ]
    server = Server(args.server_workers, Path(os.environ["YUANMENG_VAR"]) / "gunicorn.log")
    database = settings.DATABASES["default"]["NAME"] if args.postgres else None
    cpu = CPUTime(server, database) if CPUTime.available() else None
    try:
        for _label, path, headers, post in cases:  # each server process imports and connects before timing
            load(server.base + path, headers, 1, 2, [str(first_number), post] if post else None)
        for connections_ in args.connections:
            server.settle()
            bare = load(server.base + "/bench/bare", {}, args.seconds, connections_, None)
            at = f"{connections_} connections"
            figure(BENCH, f"bare JsonResponse, {at}", bare.rate, "req/s", size=size)
            for label, path, headers, post in cases:
                first_number += NUMBERS_A_CASE
                script = [str(first_number), post] if post else None
                spent = cpu.seconds() if cpu else None
                seen = load(server.base + path, headers, args.seconds, connections_, script)
                if cpu:
                    spent = [after - before for after, before in zip(cpu.seconds(), spent, strict=True)]
                server.settle()
                figure(BENCH, f"{label}, {at}", seen.rate, "req/s", reference=bare.rate,
                       reference_what="bare", size=size)
                figure(BENCH, f"{label}, {at}: p50", seen.p50_ms, "ms", size=size)
                figure(BENCH, f"{label}, {at}: p99", seen.p99_ms, "ms", size=size)
                if cpu and seen.requests:
                    for who, seconds in zip(("server", "PostgreSQL"), spent, strict=True):
                        if who == "server" or database:
                            figure(BENCH, f"{label}, {at}: {who} CPU a request", seconds * 1e6 / seen.requests,
                                   "µs", size=size)
                if seen.not_ok:
                    print(f"  {label}: {seen.not_ok} of {seen.requests} answers were not 2xx")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
