"""Benchmark: what reading through one owner's scope costs the assessment.

Loads the 24 Leicestershire months as shared data, gives a second owner its own copy of one
month, and prints the time of Melton's 2024 assessment (no hotspots) read as the shared data and
as that owner, and their ratio to a plain read of the same records into a table of their own.

    .venv/bin/python bench/assessment_scope.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_store import DATA_DIR  # noqa: E402  (loads the reference data first)
from saferplan.assessment.engine import assess  # noqa: E402
from saferplan.core.periods import Period  # noqa: E402
from saferplan.assessment.police import import_police  # noqa: E402
from saferplan.assessment.store import connect, scope  # noqa: E402

AREA = ["E07000133"]
PERIOD = Period.parse("2024-01:2024-12")
OWNER = 1


def best(cursor, repeat: int) -> float:
    assess(cursor, AREA, PERIOD, with_hotspots=False)  # warm: ward lookup, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        assess(cursor, AREA, PERIOD, with_hotspots=False)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = DATA_DIR / "police-uk" / "leicestershire"
    conn = connect()
    import_police(conn, [folder])
    import_police(conn, [folder / "2024-08-leicestershire-street.csv"], owner=OWNER)
    # Baseline: the same shared records materialised as plain tables behind the views' names.
    plain = conn.cursor()
    plain.execute("create temp table police_seen as select * from police_records_for(NULL)")
    plain.execute("create temp table import_file_seen as select * from import_files_for(NULL)")
    plain.execute("create temp table partner_seen as select * from partner_records_for(NULL)")
    baseline = best(plain, args.repeat)
    shared = best(scope(conn.cursor(), None), args.repeat)
    owned = best(scope(conn.cursor(), OWNER), args.repeat)
    print(f"assessment of Melton 2024, best of {args.repeat}: plain tables {baseline:.2f}s; "
          f"shared scope {shared:.2f}s ({shared / baseline:.2f}x); owner scope {owned:.2f}s "
          f"({owned / baseline:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
