"""What every benchmark shares: how a figure is printed and recorded.

``figure()`` prints one line a person reads and, when ``YUANMENG_BENCH_JSON`` names a file (``make bench`` sets
it), appends the same figure to it as one JSON line, so that the whole run can be written into
docs/performance.md and a JSON file. A figure measured beside its reference in the same run carries that reference
and their ratio.
"""

import json
import os


def figure(bench: str, what: str, value: float, unit: str, *, reference: float | None = None,
           reference_what: str = "", size: str = "") -> None:
    """Print and record one measured figure: ``what`` of ``bench`` was ``value`` ``unit`` (at ``size``), beside
    ``reference`` (``reference_what``) measured in the same run."""
    ratio = value / reference if reference else None
    line = f"{what}: {value:,.1f} {unit}"
    if reference is not None:
        line += f" | {reference_what or 'reference'}: {reference:,.1f} {unit} | ratio {ratio:.2f}"
    print(line + (f" ({size})" if size else ""), flush=True)
    path = os.environ.get("YUANMENG_BENCH_JSON")
    if path:
        record = {"bench": bench, "what": what, "value": value, "unit": unit, "size": size,
                  "reference": reference, "reference_what": reference_what, "ratio": ratio}
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
