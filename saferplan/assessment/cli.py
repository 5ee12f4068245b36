"""Command line for the strategic assessment: ``saferplan assess`` and ``saferplan police import``
(``import-police`` is its older name).

``assess --police-data`` analyses files in an in-memory store, with a copy of the reference data
the operator loaded into the site's store (``saferplan reference load``); ``assess
--partnership SLUG`` reads the site's store as that partnership's pages do.
"""
from __future__ import annotations

import argparse
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from saferplan.core.disclosure import CRIME_COUNTS, SUPPRESSED_DERIVED

ASSESS_HELP = """\
Assess an area from police.uk street-level files, with no server and no set-up.

The period is inclusive (YYYY-MM:YYYY-MM, or YYYY for a calendar year); it is compared with the
same months a year earlier (whole years earlier for a period longer than a year), so that seasons
match, and each category's change is tested with the conditional test for comparing two Poisson
counts (Przyborowski and Wilenski 1940; two-sided, p < 0.05). Rates are annualised per 1,000
residents (Census 2021) from the months that hold data.

Counts in the output:
  total                   records (crime and anti-social behaviour) placed in the area in the period;
                          a record is placed by its 2021 LSOA code's local authority, never by force.
  total_previous          the same for the comparison period.
  unmatched_lsoa_records  records in the input (every file given, all months) whose LSOA code is not
                          a 2021 LSOA code. Each is placed by the authority its LSOA name names
                          ("Melton 003B" -> Melton) where it names one; unmatched_lsoa_assigned_to_area
                          says how many of them were placed in this area, unmatched_lsoa_unplaced how
                          many named no authority and are in no area.
  no_location_records     records in the input (every file given, all months) with no LSOA code and
                          no coordinates: force-wide, they belong to no area.
  categories              per police.uk "Crime type" (including "Anti-social behaviour"): count,
                          previous_count, change, change_pct, p_value, significant.
"""


def register(subparsers) -> None:
    assess = subparsers.add_parser(
        "assess", help="strategic assessment of an area from police.uk files",
        description=ASSESS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    assess.add_argument("--police-data", action="append", default=[], metavar="PATH",
                        help="police.uk street-level CSV file, folder or archive zip (repeatable)")
    assess.add_argument("--area", action="append", default=[], metavar="LAD_CODE",
                        help="local authority code, e.g. E07000133 (repeatable, or comma-separated; "
                             "default: the area of --partnership)")
    assess.add_argument("--period", required=True, metavar="YYYY-MM:YYYY-MM",
                        help="the months assessed, inclusive")
    assess.add_argument("--format", choices=["json", "csv", "pdf", "docx"], default="json")
    assess.add_argument("--out", metavar="FILE", default="-",
                        help="output file ('-' for standard output, json and csv only); for csv, "
                             "the category table goes here and every other table beside it as "
                             "FILE-<table>.csv")
    assess.add_argument("--publish", action="store_true",
                        help=f"for publication: counts under {CRIME_COUNTS.threshold} shown as {CRIME_COUNTS.marker}, "
                             f"derived figures as {SUPPRESSED_DERIVED}")
    assess.add_argument("--partner-data", action="append", default=[], metavar="CSV",
                        help="partner data CSV (area code, month, measure, count; repeatable)")
    assess.add_argument("--partner-dataset", metavar="NAME",
                        help="dataset name for partner files (default: the file name)")
    assess.add_argument("--partner-columns", metavar="MAPPING",
                        help="column mapping, e.g. area=LSOA21CD,month=Month,count=Incidents,"
                             "measure=Type or measure-name='Deliberate fires' (default: guessed "
                             "from the header)")
    assess.add_argument("--harm-weight", action="append", default=[], metavar="CATEGORY=DAYS",
                        help="override a category's harm weight (repeatable)")
    assess.add_argument("--db", metavar="FILE",
                        help="use (and add the files to) this DuckDB store instead of memory")
    _owner_arguments(assess)
    assess.add_argument("--no-hotspots", action="store_true", help="skip the Gi* hotspot analysis")
    assess.add_argument("--quiet", action="store_true", help="no progress messages")
    assess.set_defaults(handler=run_assess)

    police_help = ("Import police.uk street-level files (folders, CSV files or the monthly archive zip) "
                   "into the store, all or nothing; a force-month already there is replaced. Without "
                   "--partnership they are shared data for every partnership (every force kept); with "
                   "it, only the forces with records in the partnership's area are imported, and the "
                   "others are listed as skipped.")
    police_cmd = subparsers.add_parser("police", help="police.uk data: import it into the store")
    police_sub = police_cmd.add_subparsers(dest="police_command", metavar="COMMAND", required=True)
    for load in (police_sub.add_parser("import", help="import police.uk street-level files", description=police_help),
                 subparsers.add_parser("import-police", help="the older name of 'police import'",
                                       description=police_help)):
        load.add_argument("paths", nargs="+", metavar="PATH")
        load.add_argument("--db", metavar="FILE", help="the store (default: the site's, SAFERPLAN_DUCKDB)")
        load.add_argument("--quiet", action="store_true")
        load.add_argument("--on-worker", action="store_true",
                          help="queue the import for the job worker (saferplan worker) instead of writing "
                               "the store here: for a large archive while the site is serving")
        load.add_argument("--wait", action="store_true", help="with --on-worker, wait until it has finished")
        _owner_arguments(load)
        load.set_defaults(handler=run_import)

    area = subparsers.add_parser(
        "partnership-area", help="set the local authorities a partnership covers (the site operator's act)",
        description="Set the local authority codes of a partnership's area. The area decides whose "
                    "crime and partner data the partnership reads, so managers cannot change it from "
                    "their pages; the change is kept in the partnership's history with the reason.")
    area.add_argument("slug", metavar="SLUG")
    area.add_argument("codes", metavar="LAD_CODES", help="comma-separated, e.g. E07000133")
    area.add_argument("--reason", required=True, help="why the area changes (kept in the history)")
    area.set_defaults(handler=run_partnership_area)


def _owner_arguments(parser) -> None:
    parser.add_argument("--partnership", metavar="SLUG",
                        help="import as, and read what, this partnership reads (needs the site's "
                             "database); without it, police files are shared data for every "
                             "partnership, as the site operator loads them")
    parser.add_argument("--confirm-shrink", action="store_true",
                        help="replace force-months even where the new files hold under half the "
                             "records held now (the import says which, without this flag)")


def _owner(args) -> int | None:
    from saferplan.cli import CommandError, setup_django

    if not args.partnership:
        return None
    setup_django()
    from saferplan.partnership.models import Partnership

    found = Partnership.objects.filter(slug=args.partnership).values_list("pk", flat=True).first()
    if found is None:
        raise CommandError(f"--partnership {args.partnership}: no such partnership")
    return found


def _made_by(owner: int | None) -> str:
    """Who an import from the command line is shown as, on the data pages of those it changes."""
    return "the site operator (command line)" if owner is None else "the command line"


@contextmanager
def _writing(path, *, quiet: bool = False):
    """The store for writing, in its turn after any other writer (the job worker's import, another
    command); published afterwards if web processes read it. A one-line reason if it cannot be
    opened."""
    import duckdb

    from saferplan.cli import CommandError

    from .services import writing

    def waiting() -> None:
        if not quiet:
            print("Waiting for another import into the store (the job worker, or another command) to finish...",
                  file=sys.stderr)

    stack = ExitStack()
    try:  # only opening is answered here: what the import itself raises is the caller's
        conn = stack.enter_context(writing(Path(path), on_wait=waiting))
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            # Saferplan's own writers wait their turn (above): this is another program.
            raise CommandError(f"the store {path} is in use by another program (not Saferplan's job worker):"
                               " try again when it has finished") from None
        raise CommandError(f"the store {path} cannot be opened ({exc})") from None
    except OSError as exc:
        raise CommandError(f"the store {path} cannot be opened: {exc}") from None
    with stack:
        yield conn


def _site_store() -> str:
    """The site's store file (SAFERPLAN_DUCKDB, var/saferplan.duckdb by default)."""
    from django.conf import settings

    from saferplan.cli import setup_django

    setup_django()
    return str(settings.DUCKDB_PATH)


def _readable(path) -> str | None:
    """What a reader opens for a store: its latest published snapshot (no write lock needed),
    else the file itself, else nothing."""
    from saferplan.cli import setup_django

    setup_django()
    from .services import current_snapshot

    snapshot = current_snapshot(Path(path))
    if snapshot is not None and snapshot.exists():
        return str(snapshot)
    return str(path) if Path(path).exists() else None


def _open_read(path):
    """The store read-only, as the web reads it; an empty in-memory store if it does not exist."""
    import duckdb

    from saferplan.cli import CommandError

    from .store import connect

    target = _readable(path)
    if target is None:
        return connect(None)
    try:
        return connect(target, read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise CommandError(f"the store {path} is in use by another program and has no published snapshot"
                               " to read: try again when it has finished") from None
        raise CommandError(f"the store {path} cannot be read ({exc})") from None


def _require_reference(conn) -> None:
    from saferplan.cli import CommandError

    from .reference import has_lookup

    if not has_lookup(conn):
        raise CommandError("no reference data is loaded (the LSOA lookup places every record in its "
                           "authority): the site operator loads it with 'saferplan reference load "
                           "FILE...'; 'saferplan reference status' says what is needed")


def _refused(exc) -> str:
    from .police import ImportNeedsConfirmation

    if isinstance(exc, ImportNeedsConfirmation):
        return f"import not done, nothing was kept: {exc} (run again with --confirm-shrink)"
    return f"import refused, nothing was kept: {exc}"


def _progress(quiet: bool):
    if quiet:
        return None

    def report(done: int, total: int, message: str) -> None:
        print(f"[{done}/{total}] {message}", file=sys.stderr)

    return report


def _mapping(text: str | None, path: str):
    from pathlib import Path

    from .partner import ColumnMapping, check_csv, suggest_mapping
    from .police import ImportRefused

    from saferplan.cli import CommandError

    if text:
        parts = {}
        for item in text.split(","):
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--partner-columns: {item!r} is not KEY=COLUMN")
            parts[key.strip().replace("-", "_")] = value.strip().strip("'\"")
        if "measure_name" in parts:
            parts["fixed_measure"] = parts.pop("measure_name")
        try:
            return ColumnMapping(**parts)
        except TypeError as exc:
            raise CommandError(f"--partner-columns: {exc}") from None
    if not Path(path).is_file():
        raise ImportRefused("no such file", file=path)
    suggested = suggest_mapping(check_csv(path, path)[0])
    if not all(suggested[k] for k in ("area", "month", "count")):
        raise CommandError(f"{path}: cannot guess which columns are area, month and count "
                           f"(found {suggested}); give --partner-columns")
    return ColumnMapping(area=suggested["area"], month=suggested["month"], count=suggested["count"],
                         measure=suggested["measure"],
                         fixed_measure=None if suggested["measure"] else "Count")


def run_assess(args) -> int:
    from saferplan.cli import CommandError

    from .engine import assess
    from saferplan.core.periods import Period
    from .police import ImportRefused, import_police
    from .partner import import_partner
    from .reference import boundary_features
    from .report import write
    from .store import connect, scope

    areas = [code.strip() for value in args.area for code in value.split(",") if code.strip()]
    try:
        period = Period.parse(args.period)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    if args.out == "-" and args.format in ("pdf", "docx"):
        raise CommandError(f"--format {args.format} needs --out FILE")
    if not args.police_data and not args.db and not args.partnership:
        raise CommandError("give --police-data PATH, --partnership SLUG (its data in the site's store) "
                           "or --db FILE (a store with data already imported)")
    weights = {}
    for item in args.harm_weight:
        category, _, value = item.rpartition("=")
        try:
            weights[category.strip()] = float(value)
        except ValueError:
            raise CommandError(f"--harm-weight {item!r}: expected CATEGORY=DAYS") from None
    if args.out != "-":
        _check_writable(args.out)
    owner = _owner(args)
    if owner is not None:
        from saferplan.partnership.models import Partnership

        partnership = Partnership.objects.get(pk=owner)
        areas = areas or list(partnership.area_codes)
        if not args.harm_weight:
            from .services import weights_for

            weights = weights_for(partnership)
    if not areas:
        raise CommandError("give --area LAD_CODE (or --partnership SLUG, whose area is used)")
    if args.db:
        conn = _open_read(args.db)
    elif args.police_data:
        # Files alone: analysed in memory, placed by the reference data loaded in the site's store.
        conn = connect(None, reference_from=_readable(_site_store()))
    else:
        conn = _open_read(_site_store())
    _require_reference(conn)
    known = {r[0] for r in conn.execute("select distinct lad_code from lsoa").fetchall()}
    unknown = [a for a in areas if a not in known]
    if unknown:
        raise CommandError(f"--area {', '.join(unknown)}: not a local authority code in the 2021 "
                           "LSOA lookup (e.g. E07000133 for Melton)")
    started = time.perf_counter()
    try:
        if args.police_data:
            result = import_police(conn, args.police_data, progress=_progress(args.quiet), owner=owner,
                                   confirm_shrink=args.confirm_shrink, made_by=_made_by(owner))
            if not args.quiet:
                print(f"Imported {result.rows_read:,} records from {result.files} files "
                      f"({', '.join(result.forces)}) in {time.perf_counter() - started:.1f}s",
                      file=sys.stderr)
        for path in args.partner_data:
            import_partner(conn, path, _mapping(args.partner_columns, path),
                           args.partner_dataset or Path(path).stem, progress=_progress(args.quiet),
                           owner=owner, made_by=_made_by(owner))
    except ImportRefused as exc:
        raise CommandError(_refused(exc)) from None
    scope(conn, owner)
    # On the command line "the input" is every file given, whichever force: scope the
    # data-quality counts to everything imported, not only to the forces touching the area.
    # From a store, it is what the pages count: the forces with records in the area.
    forces = ([r[0] for r in conn.execute("select distinct force from police_seen").fetchall()]
              if args.police_data else None)
    assessment = assess(conn, areas, period, weights=weights or None, forces=forces,
                        publish=args.publish, with_hotspots=not args.no_hotspots)
    boundaries = boundary_features(conn, "lsoa", areas) if args.format in ("pdf", "docx") else None
    data = assessment.to_dict()
    if not data["total"] and not data["total_previous"] and not args.quiet:
        print(f"warning: no records in {', '.join(areas)} for {period} or the period before",
              file=sys.stderr)
    if args.out == "-":
        from .report import tables, to_json

        sys.stdout.write(to_json(data, args.publish) if args.format == "json"
                         else tables(data)["categories"].to_csv(args.publish))
        return 0
    try:
        written = write(data, args.format, args.out, publish=args.publish, boundaries=boundaries)
    except OSError as exc:
        raise CommandError(f"--out {args.out}: cannot write there ({exc.strerror or exc})") from None
    if not args.quiet:
        for path in written:
            print(f"Wrote {path}", file=sys.stderr)
    return 0


def _check_writable(out: str) -> None:
    """Refuse an --out that cannot be written before the work, not after it."""
    from pathlib import Path

    from saferplan.cli import CommandError

    path = Path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        with open(path, "ab"):
            pass
        if not existed:
            path.unlink()
    except OSError as exc:
        raise CommandError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None


def run_import(args) -> int:
    from saferplan.cli import CommandError

    from .police import ImportRefused, import_police

    if args.on_worker:
        return _import_on_worker(args)
    owner = _owner(args)
    areas, own_forces = None, []
    if owner is not None:
        from saferplan.partnership.models import Partnership

        partnership = Partnership.objects.get(pk=owner)
        areas, own_forces = list(partnership.area_codes), list(partnership.police_forces or [])
    path = args.db or _site_store()
    try:
        with _writing(path, quiet=args.quiet) as conn:
            _require_reference(conn)
            result = import_police(conn, args.paths, progress=_progress(args.quiet), owner=owner,
                                   confirm_shrink=args.confirm_shrink, made_by=_made_by(owner), areas=areas,
                                   own_forces=own_forces)
    except ImportRefused as exc:
        raise CommandError(_refused(exc)) from None
    print(f"Imported {result.rows_read:,} records ({', '.join(result.forces)}; "
          f"{len(result.months)} months; {result.rows_replaced:,} earlier records replaced; "
          f"{result.rows_no_location:,} with no location; {result.rows_name_assigned:,} placed by "
          f"LSOA name; {result.rows_unmatched:,} with an LSOA code naming no authority)")
    if result.skipped_forces:
        from .police_sources import SkippedForce

        print("Skipped, no records in the partnership's area: "
              + "; ".join(SkippedForce(**f).describe() for f in result.skipped_forces))
    return 0


def _import_on_worker(args) -> int:
    """Queue the import as a job; the worker (the store's one writer) runs it."""
    from pathlib import Path

    from saferplan.cli import CommandError

    owner = _owner(args)  # sets Django up when --partnership is given
    from saferplan.cli import setup_django

    setup_django()
    from saferplan.partnership.models import Partnership

    from .models import ImportJob
    from .services import start_operator_import

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise CommandError(f"{missing[0]}: no such file or folder")
    job = start_operator_import([Path(p) for p in args.paths],
                                Partnership.objects.get(pk=owner) if owner is not None else None)
    print(f"Import job {job.pk} queued for the job worker")
    while args.wait and not job.finished:
        time.sleep(2)
        job.refresh_from_db()
    if job.status == ImportJob.Status.SUCCEEDED:
        r = job.result
        print(f"Imported {r['rows_read']:,} records ({', '.join(r['forces'])}; {len(r['months'])} months)")
        if r.get("skipped_forces"):
            print("Skipped, no records in the partnership's area: "
                  + "; ".join(f"{f['force']} ({f['files']} files)" for f in r["skipped_forces"]))
    elif job.status in (ImportJob.Status.FAILED, ImportJob.Status.NEEDS_CONFIRMATION):
        raise CommandError(f"import job {job.pk} refused, nothing was kept: {job.error.get('summary') or job.error.get('message')}")
    else:
        print(f"Import job {job.pk}: {job.get_status_display().lower()}")
    return 0


def run_partnership_area(args) -> int:
    from django.core.exceptions import ValidationError

    from saferplan.cli import CommandError, setup_django

    setup_django()
    from saferplan.partnership.models import LAD_CODE, Partnership

    from .services import authority_names

    partnership = Partnership.objects.filter(slug=args.slug).first()
    if partnership is None:
        raise CommandError(f"no partnership {args.slug!r}")
    codes = list(dict.fromkeys(c.strip().upper() for c in args.codes.split(",") if c.strip()))
    if not codes:
        raise CommandError("give at least one local authority code, e.g. E07000133")
    for code in codes:
        try:
            LAD_CODE(code)
        except ValidationError:
            raise CommandError(f"{code!r} is not a local authority code like E07000133") from None
    try:
        names = authority_names(codes)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    before = partnership.area_codes
    partnership.area_codes = codes
    partnership.area_names = names
    partnership._change_reason = f"Area changed by the site operator: {args.reason}"[:100]
    partnership.save()
    print(f"{partnership.name}: area {', '.join(before)} -> {', '.join(codes)}")
    return 0
