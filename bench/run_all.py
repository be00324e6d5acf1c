"""Every benchmark in one run, written into docs/performance.md and docs/performance.json (``make bench``).

    .venv/bin/python bench/run_all.py --size 1000000     # national: 1,000,000 applications, 3,000,000 workers
    .venv/bin/python bench/run_all.py --size small       # the same benchmarks at small sizes, in a few minutes

Each script runs in its own process on PostgreSQL (its own fresh database, ``YUANMENG_BENCH_DB``) at its size,
with ``YUANMENG_BENCH_JSON`` naming the file its ``figure()`` calls append to. A script not there yet is skipped
with a note; one that fails is reported and the others still run. Then the figures, the machine, the load average
before and after, the date and the commit replace the part of docs/performance.md between its markers (the
hand-written sections stay) and the whole of docs/performance.json.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SMALL = 10_000


def plan(size: int, small: bool) -> list[tuple[str, list[str]]]:
    """(script, arguments) of every benchmark at ``size`` applications (three workers to an application where a
    script takes workers); the lighter sizes where a peer or an old path would take hours at full size."""
    workers = 3 * size
    tenth = max(size // 10, 100)
    return [
        ("bench_seed.py", ["--workers", str(workers), "--applications", str(size)]),
        ("bench_foundation.py", ["--workers", str(workers)]),
        ("bench_pages.py", ["--applications", str(size), "--workers", str(workers)]),
        ("bench_api.py", ["--applications", str(size), *(["--seconds", "3"] if small else [])]),
        ("bench_logins.py", ["--logins", "600", "--old-logins", "4", "--pbkdf2-checks", "1"] if small else []),
        ("bench_payouts.py", ["--applications", str(size)]),
        ("bench_lottery.py", ["--applications", str(tenth)]),
        ("bench_imports.py", ["--rows", str(tenth), str(size), "--peer", "both",
                              "--peer-rows", str(min(tenth, 20_000))]),
        ("bench_bulk_review.py", ["--applications", str(tenth), *(["--old", "50"] if small else [])]),
        ("bench_home.py", ["--applications", str(size)]),
        ("bench_stats.py", ["--workers", str(workers), "--applications", str(size)]),
        ("bench_targets.py", ["--applications", str(size)]),
        ("bench_report.py", ["--applications", str(tenth)]),
    ]


def machine() -> dict:
    """What the figures were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    kib = next((int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal")), 0)
    return {"cpus": os.cpu_count(), "cpu_model": model, "ram_gib": round(kib / 2 ** 20, 1),
            "postgresql": postgres_version(), "python": sys.version.split()[0]}


def postgres_version() -> str:
    try:
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # the run still documents itself without a server
        return f"unknown ({exc.__class__.__name__})"


def git_commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                           text=True).stdout.strip()
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def run(script: str, args: list[str], figures_file: Path) -> dict:
    """One benchmark in its own process; its output passes through."""
    path = ROOT / "bench" / script
    if not path.exists():
        print(f"== {script}: not there yet, skipped", flush=True)
        return {"script": script, "args": args, "status": "missing", "seconds": 0}
    print(f"== {script} {' '.join(args)}", flush=True)
    env = {**os.environ, "YUANMENG_BENCH_JSON": str(figures_file)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(path), *args, "--postgres"], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                          text=True)
    seconds = round(time.monotonic() - started, 1)
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr, flush=True)
    return {"script": script, "args": args, "status": "ok" if done.returncode == 0 else f"failed ({done.returncode})",
            "seconds": seconds, **({"error": done.stderr[-1000:]} if done.returncode else {})}


def number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _changed_meanwhile(result: dict) -> str:
    """Each script imports the tree as it is when it starts: say so when the tree was not the same at the end."""
    after = result.get("commit_after", result["commit"])
    if after == result["commit"] and "uncommitted" not in after:
        return ""
    return f" The tree changed while it ran (at the end: {after}): a later script may have run newer code."


def render(result: dict) -> str:
    """The generated part of docs/performance.md: the run, the machine, the table of figures, what did not run."""
    m = result["machine"]
    lines = [
        f"Run of {result['date']} at commit {result['commit']}, size `{result['size']}` "
        f"(`make bench SIZE={result['size']}`), {result['seconds']:,.0f} s in all."
        + _changed_meanwhile(result),
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu_model'] or 'model unknown'}), {m['ram_gib']} GiB RAM, PostgreSQL "
        f"{m['postgresql']}, Python {m['python']}. Load average (1, 5, 15 min) before: "
        f"{', '.join(f'{x:.2f}' for x in result['load_before'])}; after: "
        f"{', '.join(f'{x:.2f}' for x in result['load_after'])}.",
        "",
        "| benchmark | what | size | figure | reference | ratio |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in result["figures"]:
        reference = f"{number(f['reference'])} {f['unit']} ({f['reference_what']})" if f["reference"] else ""
        ratio = f"{f['ratio']:.2f}" if f["ratio"] is not None else ""
        lines.append(f"| {f['bench']} | {f['what']} | {f['size']} | {number(f['value'])} {f['unit']} | {reference} "
                     f"| {ratio} |")
    lines += ["", "| script | arguments | seconds | result |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['script']} | `{' '.join(r['args'])}` | {r['seconds']:,.0f} | {r['status']} |"
              for r in result["runs"]]
    return "\n".join(lines)


def replace_generated(document: str, generated: str) -> str:
    """The document with only the part between the markers replaced (the markers added at its end if missing)."""
    if BEGIN not in document or END not in document:
        return f"{document.rstrip()}\n\n{BEGIN}\n{generated}\n{END}\n"
    head, rest = document.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{generated}\n{END}{tail}"


def write(result: dict, markdown: Path, json_path: Path) -> None:
    json_path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    document = markdown.read_text(encoding="utf-8") if markdown.exists() else "# Performance\n"
    markdown.write_text(replace_generated(document, render(result)), encoding="utf-8")


def read_figures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1000000", help="applications, or 'small' (10,000)")
    parser.add_argument("--only", nargs="*", default=[], help="run only these scripts (e.g. bench_seed.py)")
    parser.add_argument("--markdown", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--json", type=Path, default=ROOT / "docs" / "performance.json")
    args = parser.parse_args()
    small = args.size == "small"
    size = SMALL if small else int(args.size.replace("_", "").replace(",", ""))
    figures_file = Path(tempfile.mkdtemp(prefix="ymbench-run-")) / "figures.jsonl"
    started, load_before, commit = time.monotonic(), os.getloadavg(), git_commit()
    date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    runs = [run(script, script_args, figures_file) for script, script_args in plan(size, small)
            if not args.only or script in args.only]
    result = {"date": date, "commit": commit, "commit_after": git_commit(), "size": args.size, "applications": size,
              "seconds": round(time.monotonic() - started), "machine": machine(), "load_before": load_before,
              "load_after": os.getloadavg(), "runs": runs, "figures": read_figures(figures_file)}
    write(result, args.markdown, args.json)
    print(f"== wrote {args.markdown} and {args.json}: {len(result['figures'])} figures", flush=True)
    if any(r["status"].startswith("failed") for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
