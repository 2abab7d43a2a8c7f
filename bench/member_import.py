"""Importing members: how long a preview and the save of a file of N members take (target: 10,000 in
under 5 s), beside reading the same file with the `csv` module alone, in the same run.

    .venv/bin/python -m bench.member_import --members 10000 50000

Half the members are new; the other half are stored already and the file updates them (it gives
their branch and gender, which the store does not have). Prints a
table and, last, one JSON line. Pure work, no store: the time is the hub's rules, not Redis.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from bench.harness import arguments, report, table
from hub import imports
from hub.models import Branch, Member

ZONES = ("Europe/Berlin", "America/Toronto", "Asia/Tokyo", "Africa/Lagos", "Australia/Sydney")
BRANCHES = [Branch(id=f"b{n}", name=f"Branch {n}") for n in range(20)]


def sample(count: int) -> tuple[bytes, list[Member]]:
    """The file, semicolon-separated with a byte-order mark as a spreadsheet writes it, and the members
    already stored."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Member number", "Name", "Email", "Time zone", "Branch", "Gender"])
    stored = []
    for n in range(count):
        number, name, email = f"m{n:06}", f"Membre {n} \u00c9l\u00e9onore", f"member{n}@example.org"
        zone, branch = ZONES[n % len(ZONES)], f"Branch {n % len(BRANCHES)}"
        writer.writerow([number, name, email, zone, branch, "woman" if n % 2 else "man"])
        if n % 2:  # the odd half is stored already
            stored.append(Member(id=number, name=name, email=email, time_zone=zone))
    return b"\xef\xbb\xbf" + out.getvalue().encode(), stored


def run(count: int) -> dict[str, Any]:
    data, stored = sample(count)
    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    read_s = time.perf_counter() - start
    start = time.perf_counter()
    found = imports.preview(data, stored, BRANCHES)
    preview_s = time.perf_counter() - start
    start = time.perf_counter()
    members, _ = imports.apply(found, BRANCHES)
    apply_s = time.perf_counter() - start
    assert found.ok and len(rows) == count + 1 and len(members) == count - found.counts["unchanged"]
    return {
        "benchmark": "member_import",
        "members": count,
        "counts": dict(found.counts),
        "csv_read_s": round(read_s, 3),
        "preview_s": round(preview_s, 3),
        "save_rules_s": round(apply_s, 3),
        "us_per_row": round(1e6 * (preview_s + apply_s) / count, 1),
    }


def summary(results: list[dict[str, Any]]) -> str:
    columns = ["members", "new, updated, unchanged", "csv module alone (s)", "preview (s)", "save rules (s)"]
    columns += ["per row (µs)"]
    rows = [
        [
            r["members"],
            ", ".join(str(r["counts"][k]) for k in ("new", "updated", "unchanged")),
            r["csv_read_s"],
            r["preview_s"],
            r["save_rules_s"],
            r["us_per_row"],
        ]
        for r in results
    ]
    return table(columns, rows)


if __name__ == "__main__":
    parser = arguments(__doc__)
    parser.add_argument("--members", type=int, nargs="+", default=[10_000])
    args = parser.parse_args()
    report([run(n) for n in args.members], summary)
