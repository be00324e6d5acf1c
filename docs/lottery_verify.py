"""Check a Yuanmeng lottery from its public page's download (Python 3, standard library only).

    python3 lottery_verify.py lottery-12.json

Recomputes the seed's normal form from the published numbers, the frozen list's SHA-256 and the winners, and
compares them with the published ones. Exit status 0: everything matches.
"""

import hashlib
import json
import re
import sys
import unicodedata

data = json.load(open(sys.argv[1], encoding="utf-8"))
entries = data["entries"]  # [reference, amount in fen], in published order

# The seed (RFC 3797): each part's numbers sorted, no leading zeros, each followed by "."; each part by "/".
parts = [p for p in re.split(r"[/+;|\n]", unicodedata.normalize("NFKC", data["seed_values"])) if p.strip()]
seed = "".join("".join(f"{n}." for n in sorted(int(x) for x in re.findall(r"\d+", p))) + "/" for p in parts)

# The list: SHA-256 of one "reference,amount\n" line per entry, UTF-8.
digest = hashlib.sha256("".join(f"{ref},{amount}\n" for ref, amount in entries).encode()).hexdigest()

# The order: ascending SHA-256(seed + reference); winners while the money and the quota last.
order = sorted(range(len(entries)), key=lambda i: (hashlib.sha256((seed + entries[i][0]).encode()).digest(), i))
winners, total = [], 0
for place, i in enumerate(order, start=1):
    total += entries[i][1]
    if total > data["limit_fen"] or (data["quota"] is not None and place > data["quota"]):
        break
    winners.append(entries[i][0])

checks = {"seed": seed == data["seed"], "list SHA-256": digest == data["list_sha256"],
          "winners": winners == data["winners"]}
for name, ok in checks.items():
    print(f"{name}: {'matches' if ok else 'DIFFERS'}")
print(f"{len(entries)} candidates, {len(winners)} winners recomputed, seed {seed}")
sys.exit(0 if all(checks.values()) else 1)
