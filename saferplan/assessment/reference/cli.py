"""``saferplan reference load PATH...`` and ``saferplan reference status [--partnership SLUG]``."""
from __future__ import annotations

import json
import sys

LOAD_HELP = """\
Load national reference data into the crime data store from the files their publishers offer:

  the LSOA 2021 to local authority lookup (CSV), Census 2021 usual residents by LSOA and age
  (CSV), the Cambridge Crime Harm Index (.xlsx), and LSOA 2021 or ward boundaries (GeoJSON in
  WGS84, national or one authority's).

Each file is recognised by its columns or properties, checked whole and loaded all or nothing;
a problem is reported with the file, line (or feature) and field. Loading a dataset again
replaces it; boundaries are replaced per authority. A folder is read for .csv, .xlsx and
.geojson files. `saferplan reference status` says what is loaded and what is missing.
"""


def register(subparsers) -> None:
    reference = subparsers.add_parser("reference", help="national reference data: load it, see what is loaded")
    commands = reference.add_subparsers(dest="reference_command", metavar="COMMAND", required=True)
    load = commands.add_parser("load", help="load reference files into the store", description=LOAD_HELP,
                               formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    load.add_argument("paths", nargs="+", metavar="PATH")
    load.add_argument("--authority", metavar="LAD_CODE",
                      help="the authority of a ward boundary file whose features do not say it (LADnnCD)")
    load.add_argument("--db", metavar="FILE", help="the store (default: the site's, SAFERPLAN_DUCKDB)")
    load.add_argument("--quiet", action="store_true")
    load.set_defaults(handler=run_load)
    status = commands.add_parser("status", help="what reference data is loaded, and what a partnership lacks")
    status.add_argument("--partnership", metavar="SLUG", help="also say what this partnership's area lacks")
    status.add_argument("--db", metavar="FILE", help="the store (default: the site's, SAFERPLAN_DUCKDB)")
    status.add_argument("--format", choices=["text", "json"], default="text")
    status.set_defaults(handler=run_status)


def _store_path(args) -> str:
    if args.db:
        return args.db
    from django.conf import settings

    from saferplan.cli import setup_django

    setup_django()
    return str(settings.DUCKDB_PATH)


def run_load(args) -> int:
    from saferplan.cli import CommandError

    from ..cli import _writing
    from ..police import ImportRefused
    from .load import load_files

    path = _store_path(args)

    def progress(done: int, total: int, message: str) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {message}", file=sys.stderr)

    # Files before a refused one are kept (each file is its own dataset), and published.
    refused = None
    with _writing(path, quiet=args.quiet) as conn:
        try:
            results = load_files(conn, args.paths, authority=args.authority, progress=progress)
        except ImportRefused as exc:
            refused = exc
    if refused is not None:
        raise CommandError(f"not loaded, the store keeps what it had for this file: {refused}") from None
    print(f"Loaded {len(results)} {'file' if len(results) == 1 else 'files'}.")
    return 0


def run_status(args) -> int:
    from saferplan.cli import CommandError

    from ..cli import _open_read
    from .load import status

    areas, name = None, None
    if args.partnership:
        from saferplan.cli import setup_django

        setup_django()
        from saferplan.partnership.models import Partnership

        partnership = Partnership.objects.filter(slug=args.partnership).first()
        if partnership is None:
            raise CommandError(f"--partnership {args.partnership}: no such partnership")
        areas, name = list(partnership.area_codes), partnership.name
    conn = _open_read(_store_path(args))
    try:
        state = status(conn, areas)
    finally:
        conn.close()
    if args.format == "json":
        print(json.dumps({"partnership": args.partnership, **state}, indent=2, default=str))
        return 0
    print("Reference data in the store:")
    for d in state["datasets"]:
        if d["loaded"]:
            scope = (f", {d['authorities']} {'authority' if d['authorities'] == 1 else 'authorities'}"
                     if d["authorities"] is not None else "")
            print(f"  {d['title']}: {d['rows']:,} rows{scope}, loaded {d['loaded_at']:%Y-%m-%d %H:%M} from {d['sources']}")
        else:
            print(f"  {d['title']}: not loaded (from the {d['where']})")
    if areas is not None:
        shown = ", ".join(f"{a['name'] or 'unknown'} ({a['code']})" for a in state["area"])
        print(f"\n{name} ({shown}):")
        for code in state["unknown_authorities"]:
            print(f"  {code} is not a local authority in the loaded lookup")
        if not state["missing"]:
            print("  everything its assessment needs is loaded")
        for m in state["missing"]:
            whose = ("" if not m["authority"] else f" for {m['authority_name']} ({m['authority']})"
                     if m["authority_name"] else f" for {m['authority']}")
            print(f"  missing: {m['title']}{whose}; get it from the {m['where']}, then run "
                  "saferplan reference load FILE")
    return 0
