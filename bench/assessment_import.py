"""Benchmark: import all Leicestershire months and assess Melton.

Prints the ratio of our import time (check every row, resolve every LSOA, store) to DuckDB's
plain read_csv of the same files, measured in the same process, and the assessment's time.
Targets: import within 3x of the raw read; one authority's assessment under one second.

    .venv/bin/python bench/assessment_import.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb  # noqa: E402

from reference_store import DATA_DIR  # noqa: E402  (loads the reference data first)
from saferplan.assessment.engine import assess  # noqa: E402
from saferplan.core.periods import Period  # noqa: E402
from saferplan.assessment.police import import_police  # noqa: E402
from saferplan.assessment.store import connect  # noqa: E402

AREA = ["E07000133"]
PERIOD = Period.parse("2024-01:2024-12")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = DATA_DIR / "police-uk" / "leicestershire"
    files = sorted(str(p) for p in folder.glob("*-street.csv"))
    size = sum(Path(f).stat().st_size for f in files) / 1e6
    threads = duckdb.connect().execute("select current_setting('threads')").fetchone()[0]
    print(f"{len(files)} files, {size:.1f} MB, DuckDB {duckdb.__version__}, {threads} threads")

    raw_times, raw_count_times, import_times = [], [], []
    for _ in range(args.repeat):
        conn = duckdb.connect()
        t, _ = timed(lambda: conn.execute(f"create table raw as select * from read_csv({files})"))
        raw_times.append(t)
        t, _ = timed(lambda: conn.execute(f"select count(*) from read_csv({files})").fetchone())
        raw_count_times.append(t)
        conn.close()
        store = connect()  # reference tables are copied here, outside the timed import
        t, result = timed(lambda: import_police(store, [str(folder)]))
        import_times.append(t)
        store.close()
    raw, raw_count, ours = min(raw_times), min(raw_count_times), min(import_times)
    print(f"raw read_csv into a table : {raw:.3f}s (best of {args.repeat})")
    print(f"raw read_csv count(*)     : {raw_count:.3f}s")
    print(f"saferplan import          : {ours:.3f}s, {result.rows_read:,} rows")
    print(f"IMPORT RATIO (import / raw read into a table): {ours / raw:.2f}x  (target <= 3x)")
    print(f"             (import / raw count(*))         : {ours / raw_count:.2f}x")

    store = connect()
    import_police(store, [str(folder)])
    cold, assessment = timed(lambda: assess(store, AREA, PERIOD))
    warm = [timed(lambda: assess(store, AREA, PERIOD))[0] for _ in range(args.repeat)]
    data = assessment.to_dict()
    print(f"assessment of Melton {PERIOD}: total {data['total']:,} (previous {data['total_previous']:,}), "
          f"{len(data['findings'])} findings")
    print(f"ASSESSMENT: first run {cold:.3f}s (loads esda, geopandas, the harm index and the ward "
          f"lookup), then {statistics.median(warm):.3f}s median of {args.repeat}  (target < 1s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
