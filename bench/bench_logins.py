"""Log-in for a morning rush: N people log in at the opening of an application window.

    .venv/bin/python bench/bench_logins.py --logins 6000 --postgres
    .venv/bin/python bench/bench_logins.py --logins 6000                # SQLite

Builds a fresh database (as bench_foundation.py does) with N accounts, then prints:

- one password check: PBKDF2-SHA256 at Django 5.2's 1,000,000 iterations (the hasher before decision 0011) and
  Argon2id at OWASP's parameters (``accounts/hashers.py``), medians, and their ratio;
- log-ins per second through the real log-in view (``POST /login/``: form, name normalisation, django-axes,
  the backend, the session, ``last_login``), driven by Django's test client in ``--processes`` forked
  processes (default 2, one per core of the reference machine), no network and no web server in between:
  N log-ins with Argon2id hashes, and ``--old-logins`` log-ins with PBKDF2 hashes, once with PBKDF2 as the
  first hasher (before) and once with Argon2id first (the first log-in after the change: the PBKDF2 check plus
  the rewrite as Argon2id);
- the rush as people make it: N more accounts log in through ``POST /login/`` of gunicorn (``--server-workers``
  sync workers, 2 by default, on loopback, as bench_api.py serves) from ``--clients`` concurrent clients (16):
  how long all N take, and the 99th percentile of one log-in;
- the memory: Argon2id holds its ``m`` (19 MiB) for the length of one check, so concurrent log-ins need
  ``m`` × processes on top of each process's own size (its peak resident size is printed).

Prints figures; asserts nothing beyond every log-in succeeding.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import configure  # noqa: E402
from bench.common import figure  # noqa: E402

PASSWORD = "morning-rush-2026"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
ARGON2ID = "yuanmeng.accounts.hashers.OwaspArgon2idHasher"


def check_ms(encoded: str, repeat: int) -> float:
    """Median milliseconds of one password check against ``encoded`` (what a log-in pays per attempt)."""
    from django.contrib.auth.hashers import check_password

    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert check_password(PASSWORD, encoded)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def create_accounts(prefix: str, count: int, encoded: str) -> list[str]:
    """``count`` accounts sharing one stored hash (hashing each would time the set-up, not the log-in)."""
    from django.contrib.auth import get_user_model

    users = get_user_model()
    names = [f"{prefix}{n}" for n in range(count)]
    users.objects.bulk_create([users(username=name, password=encoded) for name in names], batch_size=1000)
    return names


def log_in_each(names: list[str]) -> tuple[int, int]:
    """In one process: each name logs in through ``POST /login/`` from its own address, as a fresh browser.

    Returns the log-ins done and this process's peak resident size in KiB."""
    from django.test import Client

    for n, name in enumerate(names):
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        response = Client().post("/login/", {"username": name, "password": PASSWORD}, REMOTE_ADDR=address)
        assert response.status_code == 302, (name, response.status_code)
    return len(names), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rush(names: list[str], processes: int, hashers: list[str]) -> tuple[float, int]:
    """Log-ins per second with ``hashers`` in force, the names spread over ``processes`` forked processes;
    and the largest peak resident size of one process, in KiB."""
    from django.db import connections
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=hashers):
        connections.close_all()  # each child opens its own connection
        slices = [names[k::processes] for k in range(processes)]
        started = time.perf_counter()
        with get_context("fork").Pool(processes) as pool:
            done = pool.map(log_in_each, slices)
        elapsed = time.perf_counter() - started
    assert sum(count for count, _ in done) == len(names)
    return len(names) / elapsed, max(peak for _, peak in done)


def served_rush(names: list[str], clients: int, server_workers: int) -> tuple[float, float]:
    """All ``names`` log in through ``POST /login/`` of gunicorn (``server_workers`` sync workers, as
    bench_api.py serves) from ``clients`` concurrent clients over loopback, each as a fresh browser (the CSRF
    cookie and its token, no session). Returns the seconds they took and the 99th percentile of one log-in, ms."""
    from http.client import HTTPConnection
    from threading import Lock, Thread
    from urllib.parse import urlencode

    from django.db import connections

    from bench.bench_api import Server

    connections.close_all()
    server = Server(server_workers, Path(os.environ["YUANMENG_VAR"]) / "gunicorn-logins.log")
    csrf = "b" * 32  # an unmasked secret: the form's token equal to the cookie
    waiting, lock, samples = iter(names), Lock(), []

    def client() -> None:
        conn = HTTPConnection("127.0.0.1", server.port, timeout=60)
        while True:
            with lock:
                name = next(waiting, None)
            if name is None:
                return
            body = urlencode({"username": name, "password": PASSWORD, "csrfmiddlewaretoken": csrf})
            started = time.perf_counter()
            conn.request("POST", "/login/", body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"})
            response = conn.getresponse()
            response.read()
            assert response.status == 302, (name, response.status)
            with lock:
                samples.append((time.perf_counter() - started) * 1000)

    try:
        started = time.perf_counter()
        threads = [Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.stop()
    assert len(samples) == len(names)
    p99 = statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]
    return elapsed, p99


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logins", type=int, default=6000)
    parser.add_argument("--old-logins", type=int, default=40, help="log-ins with PBKDF2 hashes (0.8 s each)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--pbkdf2-checks", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients of the served rush")
    parser.add_argument("--server-workers", type=int, default=2, help="gunicorn sync workers of the served rush")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres)

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connection

    from yuanmeng.accounts.hashers import OwaspArgon2idHasher

    settings.ALLOWED_HOSTS = ["*"]
    argon, pbkdf2 = OwaspArgon2idHasher(), PBKDF2PasswordHasher()
    argon_hash, pbkdf2_hash = argon.encode(PASSWORD, argon.salt()), pbkdf2.encode(PASSWORD, pbkdf2.salt())
    print(f"database: {connection.vendor}; {os.cpu_count()} cores; load average "
          + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    pbkdf2_ms, argon_ms = check_ms(pbkdf2_hash, args.pbkdf2_checks), check_ms(argon_hash, 20)
    print(f"one password check: PBKDF2-SHA256 {pbkdf2.iterations:,} iterations {pbkdf2_ms:.0f} ms, "
          f"Argon2id m={argon.memory_cost // 1024} MiB t={argon.time_cost} p={argon.parallelism} "
          f"{argon_ms:.0f} ms; ratio {pbkdf2_ms / argon_ms:.1f}x")

    figure("logins", "one password check, Argon2id", argon_ms, "ms", reference=pbkdf2_ms,
           reference_what=f"PBKDF2 {pbkdf2.iterations:,} iterations")
    fresh = create_accounts("rush", args.logins, argon_hash)
    old = create_accounts("old", args.old_logins, pbkdf2_hash)
    later = create_accounts("upgraded", args.old_logins, pbkdf2_hash)
    log_in_each(create_accounts("warm", 1, argon_hash))  # imports and templates once, before the processes fork
    before, _ = rush(old, args.processes, [PBKDF2, ARGON2ID])
    first, _ = rush(later, args.processes, [ARGON2ID, PBKDF2])
    after, peak = rush(fresh, args.processes, [ARGON2ID, PBKDF2])
    rewritten = get_user_model().objects.filter(username__in=later, password__startswith="argon2$").count()
    print(f"log-ins per second through POST /login/ (test client, {args.processes} processes): "
          f"PBKDF2 {before:.1f} ({args.old_logins} log-ins), first log-in after the change {first:.1f} "
          f"({rewritten} of {args.old_logins} rewritten as Argon2id), Argon2id {after:.1f} "
          f"({args.logins:,} log-ins); ratio {after / before:.1f}x")
    figure("logins", f"log-ins per second, Argon2id, {args.processes} processes", after, "log-ins/s",
           reference=before, reference_what="PBKDF2", size=f"{args.logins:,} log-ins")
    print(f"at these rates {args.logins:,} log-ins take {args.logins / after:.0f} s with Argon2id, "
          f"{args.logins / before:.0f} s with PBKDF2")
    served = create_accounts("served", args.logins, argon_hash)
    elapsed, p99 = served_rush(served, args.clients, args.server_workers)
    what = f"{args.logins:,} log-ins through gunicorn ({args.server_workers} sync workers), {args.clients} clients"
    figure("logins", what, elapsed, "s", size=f"{args.logins:,} log-ins")
    figure("logins", f"{what}: p99 of one log-in", p99, "ms", size=f"{args.logins:,} log-ins")
    print(f"memory: {argon.memory_cost // 1024} MiB per Argon2id check x {args.processes} concurrent = "
          f"{argon.memory_cost * args.processes // 1024} MiB; peak resident size of one log-in process "
          f"{peak // 1024} MiB")


if __name__ == "__main__":
    main()
