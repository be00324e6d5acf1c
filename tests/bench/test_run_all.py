"""bench/run_all.py's writer: the generated table replaces only its part of docs/performance.md."""

import json

from bench.run_all import BEGIN, END, plan, read_figures, write

FIGURES = [
    {"bench": "api", "what": "GET /api/applications/{id}", "value": 912.4, "unit": "req/s", "size": "300",
     "reference": 1520.0, "reference_what": "bare JsonResponse", "ratio": 0.6},
    {"bench": "seed", "what": "seed national", "value": 1.23, "unit": "s", "size": "2,000 workers",
     "reference": None, "reference_what": "", "ratio": None},
]


def fake_result(figures):
    return {"date": "2026-11-30 06:00 UTC", "commit": "abc1234", "size": "small", "applications": 10_000,
            "seconds": 42, "machine": {"cpus": 2, "cpu_model": "Test CPU", "ram_gib": 7.8, "postgresql": "16.4",
                                       "python": "3.11.2"},
            "load_before": [0.5, 0.4, 0.3], "load_after": [1.5, 1.0, 0.7], "figures": figures,
            "runs": [{"script": "bench_api.py", "args": ["--applications", "300"], "status": "ok", "seconds": 3.2},
                     {"script": "bench_pages.py", "args": [], "status": "missing", "seconds": 0}]}


def test_the_generated_part_is_replaced_and_the_sections_stay(tmp_path):
    figures_file = tmp_path / "figures.jsonl"
    figures_file.write_text("".join(json.dumps(f) + "\n" for f in FIGURES), encoding="utf-8")
    markdown, json_path = tmp_path / "performance.md", tmp_path / "performance.json"
    markdown.write_text(f"# Performance\n\nintro\n\n{BEGIN}\nold table\n{END}\n\n## Pages at national scale\n\n"
                        "hand-written\n", encoding="utf-8")
    write(fake_result(read_figures(figures_file)), markdown, json_path)
    text = markdown.read_text(encoding="utf-8")
    assert "old table" not in text and "intro" in text and "## Pages at national scale\n\nhand-written" in text
    assert "| api | GET /api/applications/{id} | 300 | 912 req/s | 1,520 req/s (bare JsonResponse) | 0.60 |" in text
    assert "| seed | seed national | 2,000 workers | 1.23 s |  |  |" in text
    assert "2 CPUs (Test CPU), 7.8 GiB RAM, PostgreSQL 16.4" in text and "before: 0.50, 0.40, 0.30" in text
    assert "| bench_pages.py | `` | 0 | missing |" in text
    assert json.loads(json_path.read_text(encoding="utf-8"))["figures"] == FIGURES
    assert "changed while it ran" not in text
    write(fake_result([]), markdown, json_path)  # a second run replaces the first, once
    assert markdown.read_text(encoding="utf-8").count(BEGIN) == 1


def test_a_tree_that_changed_during_the_run_is_told(tmp_path):
    markdown = tmp_path / "performance.md"
    write({**fake_result(FIGURES), "commit_after": "def5678"}, markdown, tmp_path / "performance.json")
    assert "at commit abc1234" in markdown.read_text(encoding="utf-8")
    assert "The tree changed while it ran (at the end: def5678)" in markdown.read_text(encoding="utf-8")


def test_a_document_without_markers_gets_them_at_its_end(tmp_path):
    markdown = tmp_path / "performance.md"
    markdown.write_text("# Performance\n", encoding="utf-8")
    write(fake_result(FIGURES), markdown, tmp_path / "performance.json")
    assert markdown.read_text(encoding="utf-8").index(BEGIN) > markdown.read_text(encoding="utf-8").index("# Perf")


def test_every_benchmark_is_planned_with_its_size():
    scripts = dict(plan(1_000_000, small=False))
    assert scripts["bench_seed.py"] == ["--workers", "3000000", "--applications", "1000000"]
    assert scripts["bench_pages.py"] == ["--applications", "1000000", "--workers", "3000000"]
    assert "bench_api.py" in scripts and "bench_payouts.py" in scripts
    assert scripts["bench_stats.py"] == ["--workers", "3000000", "--applications", "1000000"]
