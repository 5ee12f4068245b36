"""Benchmark: the crime store at national scale (~20M rows, 36 months, many forces).

Builds a simulated national set of police.uk street-level files in a temporary folder from the
24 real Leicestershire months, then measures in one process, against DuckDB itself:

- import: DuckDB's raw ``read_csv`` of the same files into a table of a file database, then our
  import (check every row, resolve every LSOA, store); their time ratio and store size ratio,
  and the time to copy the store (what publishing a snapshot costs, docs/adr/0008);
- Melton's 2024 assessment from the national store, warm (median, wall and CPU), and first in
  a fresh process (a subprocess opening the store read-only, as a web process opens a
  snapshot): the assessment alone, and with the module imports before it.

The simulated set: the ``leicestershire`` force keeps its real LSOAs (so Melton's figures are
the real ones); every other force is an invented one ("Force 07 Police", file slug
``force-07``) serving its own share of the other authorities of England and Wales, whose rows
are Leicestershire's with LSOA codes and names moved onto real LSOAs of those authorities.
Months 2023-01 to 2024-12 are the real months; 2022 repeats 2024. The folder is removed at
the end, whatever happens.

    .venv/bin/python bench/national.py [--rows 20000000] [--repeat 5] [--tmp DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

# The shared data folder, as settings.DATA_DIR finds it (without starting Django).
DATA_DIR = Path(os.environ.get("SAFERPLAN_DATA_DIR", ROOT.parent / "shared" / "data"))
LOOKUP = DATA_DIR / "geography" / "lsoa21_to_lad.csv"

AREA = "E07000133"  # Melton, whose LSOA and ward boundaries are in the reference data
PERIOD = "2024-01:2024-12"
MONTHS = 36
FIRST_MONTH = "2022-01"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cpu_timed(fn):
    """Wall and CPU seconds (this process, DuckDB's threads included): on a shared, busy machine
    the CPU ratio says what the work costs when the wall ratio is blurred by other processes."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def build(folder: Path, rows: int) -> tuple[list[str], int, int]:
    """Write the simulated files into ``folder``; return the file paths, rows and forces."""
    leics = sorted(str(p) for p in (DATA_DIR / "police-uk" / "leicestershire").glob("*-street.csv"))
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"""
        create table src as
        select *, row_number() over () as n,
               regexp_extract(filename, '(\\d{{4}}-\\d{{2}})-leicestershire', 1) as src_month
        from read_csv({leics}, header = true, all_varchar = true, filename = true)
    """)
    per_force = con.execute("select count(*) from src").fetchone()[0] * MONTHS // 24
    forces = max(2, round(rows / per_force))
    con.execute(f"""
        create table lookup as select * from read_csv('{LOOKUP}', all_varchar = true);
        -- Authorities the Leicestershire files touch stay with the real force.
        create table own_lad as
            select distinct l.lad_code from src s join lookup l on l.lsoa21_code = s."LSOA code";
        create table other_lad as
            select lad_code, any_value(lad_name) as lad_name,
                   row_number() over (order by lad_code) - 1 as i
            from lookup where lad_code not in (select lad_code from own_lad) group by lad_code;
        -- Each invented force k (1..{forces - 1}) serves a contiguous share of the other authorities.
        create table force_lad as
            select k, lad_code, lad_name, row_number() over (partition by k order by lad_code) - 1 as j
            from (select (i * {forces - 1} // count(*) over ()) + 1 as k, lad_code, lad_name
                  from other_lad);
        create table force_lsoa as
            select f.k, l.lsoa21_code as code, l.lsoa21_name as name,
                   row_number() over (partition by f.k order by l.lsoa21_code) - 1 as j,
                   count(*) over (partition by f.k) as nk
            from force_lad f join lookup l using (lad_code);
        create table src_lsoa as
            select code, row_number() over (order by code) - 1 as s, count(*) over () as ns
            from (select distinct "LSOA code" as code from src
                  where "LSOA code" in (select lsoa21_code from lookup));
        create table month_map as
            select strftime(date '{FIRST_MONTH}-01' + to_months(m), '%Y-%m') as month,
                   strftime(date '2023-01-01' + to_months((m + 12) % 24), '%Y-%m') as src_month
            from range({MONTHS}) t(m);
        create table force_no as select range as k from range({forces});
    """)
    parts = folder / "parts"
    # Source LSOA s goes to LSOA floor(s * nk / ns) of force k, so every authority gets data;
    # older (2011) codes keep their code and take the name of one of the force's authorities,
    # so that they are still placed by name.
    con.execute(f"""
        copy (
            select s."Crime ID",
                   mm.month as "Month",
                   case when f.k = 0 then s."Reported by" else printf('Force %02d Police', f.k) end
                       as "Reported by",
                   case when f.k = 0 then s."Falls within" else printf('Force %02d Police', f.k) end
                       as "Falls within",
                   s."Longitude", s."Latitude", s."Location",
                   case when f.k = 0 or s."LSOA code" is null then s."LSOA code"
                        else coalesce(t.code, s."LSOA code") end as "LSOA code",
                   case when f.k = 0 or s."LSOA code" is null then s."LSOA name"
                        when t.code is not null then t.name
                        else fl.lad_name || ' 999Z' end as "LSOA name",
                   s."Crime type", s."Last outcome category", s."Context",
                   mm.month as p_month,
                   case when f.k = 0 then 'leicestershire' else printf('force-%02d', f.k) end as p_force
            from force_no f
            join month_map mm on true
            join src s on s.src_month = mm.src_month
            left join src_lsoa sl on f.k > 0 and sl.code = s."LSOA code"
            left join force_lsoa t on t.k = f.k and t.j = sl.s * t.nk // sl.ns
            left join (select k, count(*) as nl from force_lad group by k) fn on fn.k = f.k
            left join force_lad fl on f.k > 0 and sl.code is null and fl.k = f.k
                 and fl.j = hash(s."LSOA code") % fn.nl
        ) to '{parts}' (format csv, header true, partition_by (p_month, p_force))
    """)
    total = 0
    files = []
    for part in parts.glob("p_month=*/p_force=*/*.csv"):
        month = part.parent.parent.name.split("=", 1)[1]
        force = part.parent.name.split("=", 1)[1]
        target = folder / f"{month}-{force}-street.csv"
        part.rename(target)
        files.append(str(target))
    shutil.rmtree(parts)
    total = con.execute("select count(*) * 1 from src").fetchone()[0] * MONTHS // 24 * forces
    con.close()
    return sorted(files), total, forces


FIRST_ASSESSMENT = """
import json, sys, time
start = time.perf_counter()
sys.path.insert(0, {root!r})
from saferplan.assessment.engine import assess
from saferplan.core.periods import Period
from saferplan.assessment.store import connect, scope
imported, imported_cpu = time.perf_counter() - start, time.process_time()
start, cpu = time.perf_counter(), time.process_time()
conn = scope(connect({store!r}, read_only=True).cursor(), None)  # as services.reading does
data = assess(conn, [{area!r}], Period.parse({period!r})).to_dict()
print(json.dumps({{"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "imports": imported, "imports_cpu": imported_cpu,
                  "modules": sorted({{m.split(".")[0] for m in sys.modules}}),
                  "total": data["total"], "hotspots": len(data["hotspots"]["hotspots"])}}))
"""


def first_assessment(store: Path) -> dict:
    code = FIRST_ASSESSMENT.format(root=str(ROOT), store=str(store), area=AREA, period=PERIOD)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="about how many rows to simulate")
    parser.add_argument("--repeat", type=int, default=5, help="warm assessments and fresh processes")
    parser.add_argument("--tmp", default=None, help="folder to build in (default: the system's)")
    args = parser.parse_args()

    from saferplan.assessment.engine import assess
    from saferplan.core.periods import Period
    from saferplan.assessment.police import import_police
    from saferplan.assessment.reference.load import load_files, shared_data_files
    from saferplan.assessment.store import connect

    work = Path(tempfile.mkdtemp(prefix="saferplan-national-", dir=args.tmp))
    try:
        files_dir = work / "files"
        files_dir.mkdir()
        t, (files, rows, forces) = timed(lambda: build(files_dir, args.rows))
        size = sum(Path(f).stat().st_size for f in files)
        threads = duckdb.connect().execute("select current_setting('threads')").fetchone()[0]
        print(f"SCALE: about {rows:,} rows in {len(files):,} files ({forces} forces x {MONTHS} months), "
              f"{size / 1e9:.2f} GB, built in {t:.0f}s; DuckDB {duckdb.__version__}, {threads} threads, "
              f"{os.cpu_count()} cores")

        raw_db = work / "raw.duckdb"
        raw = duckdb.connect(str(raw_db))
        raw_time, raw_cpu, _ = cpu_timed(lambda: (
            raw.execute(f"create table raw as select * from read_csv({files})"), raw.execute("checkpoint")))
        raw_rows = raw.execute("select count(*) from raw").fetchone()[0]
        # A plain DuckDB query over the raw table, for the assessment's scale (same process).
        lsoas = [r[0] for r in raw.execute(
            "select lsoa21_code from read_csv(?, all_varchar = true) where lad_code = ?",
            [str(LOOKUP), AREA]).fetchall()]
        raw.execute("select 1").fetchall()
        plain = []
        for _ in range(args.repeat):
            plain.append(timed(lambda: raw.execute(
                'select "Crime type", count(*) from raw where "LSOA code" in (select unnest($l)) '
                "and \"Month\" >= '2024-01' group by all", {"l": lsoas}).fetchall())[0])
        raw.close()
        raw_size = raw_db.stat().st_size
        raw_db.unlink()

        store_path = work / "store.duckdb"
        # Reference data (lookup, Census, harm index, boundaries and their neighbours) loaded as
        # the operator does, outside the timed import.
        store = connect(store_path, reference_from="")
        load_files(store, shared_data_files(DATA_DIR))
        store.execute("checkpoint")
        empty_size = store_path.stat().st_size
        ours, ours_cpu, result = cpu_timed(
            lambda: (import_police(store, [str(files_dir)]), store.execute("checkpoint"))[0])
        assert result.rows_read == raw_rows, (result.rows_read, raw_rows)
        store_size = store_path.stat().st_size - empty_size
        print(f"raw read_csv into a table : {raw_time:.2f}s, {raw_rows:,} rows, {raw_size / 1e6:,.0f} MB")
        print(f"saferplan import          : {ours:.2f}s, {result.rows_read:,} rows, "
              f"{store_size / 1e6:,.0f} MB (+ {empty_size / 1e6:.0f} MB of reference tables)")
        print(f"IMPORT RATIO (import / raw read into a table): {ours / raw_time:.2f}x  (target <= 1.5x); "
              f"CPU {ours_cpu:.1f}s / {raw_cpu:.1f}s = {ours_cpu / raw_cpu:.2f}x")
        print(f"STORE SIZE RATIO (police records / raw table): {store_size / raw_size:.2f}x")
        copy = work / "snapshot.duckdb"
        snap, _ = timed(lambda: shutil.copyfile(store_path, copy))
        copy.unlink()
        print(f"snapshot copy of the store: {snap:.2f}s ({store_path.stat().st_size / 1e6:,.0f} MB)")

        period = Period.parse(PERIOD)
        first_here, data = timed(lambda: assess(store, [AREA], period).to_dict())
        warm_runs = [cpu_timed(lambda: assess(store, [AREA], period)) for _ in range(args.repeat)]
        warm = [r[0] for r in warm_runs]
        warm_no_hot = [timed(lambda: assess(store, [AREA], period, with_hotspots=False))[0]
                       for _ in range(args.repeat)]
        store.execute("checkpoint")
        store.close()
        print(f"assessment of Melton {PERIOD}: total {data['total']:,} (previous "
              f"{data['total_previous']:,}), {len(data['hotspots'].get('hotspots', []))} hotspots, "
              f"forces {data['coverage']['forces']}")
        base = statistics.median(plain)
        print(f"plain DuckDB group-by of Melton's raw rows: {base:.3f}s median (machine-speed yardstick)")
        w = statistics.median(warm)
        print(f"ASSESSMENT WARM: {w:.3f}s median of {args.repeat} ({w / base:.1f}x the plain group-by; "
              f"without hotspots {statistics.median(warm_no_hot):.3f}s; CPU "
              f"{statistics.median(r[1] for r in warm_runs):.3f}s)  (target < 0.15s)")
        print(f"  (first in this process, after the import: {first_here:.2f}s)")
        runs = [first_assessment(store_path) for _ in range(max(1, args.repeat // 2))]
        assert all(r["total"] == data["total"] for r in runs)
        med = {k: statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "imports", "imports_cpu")}
        heavy = sorted({m for r in runs for m in r["modules"]} & {
            "geopandas", "shapely", "pandas", "scipy", "esda", "libpysal", "sklearn", "openpyxl"})
        print(f"ASSESSMENT FIRST IN A FRESH PROCESS: {med['seconds']:.3f}s median of {len(runs)}, CPU "
              f"{med['cpu']:.3f}s ({med['seconds'] / w:.1f}x warm)  (target < 0.5s)")
        print(f"  module imports before it: {med['imports']:.3f}s, CPU since the process started "
              f"{med['imports_cpu']:.3f}s; "
              f"imports + first: {med['imports'] + med['seconds']:.3f}s, CPU "
              f"{med['imports_cpu'] + med['cpu']:.3f}s; heavy modules loaded: {', '.join(heavy) or 'none'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
