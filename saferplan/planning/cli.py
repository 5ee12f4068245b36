"""`saferplan plan export`: the current plan as JSON, PDF, Word, or a plan on a page."""
from __future__ import annotations

import sys
from pathlib import Path

from saferplan.cli import CommandError, setup_django

EXPORT_HELP = """\
Export a partnership's current plan (the latest by start date, which is a revision while one is
being drafted), or with --adopted the plan in force, exactly as adopted.

JSON nests themes > priorities > actions > KPIs. Each priority lists its evidence as
{"kind", "title", "url"} (kind: assessment_finding, assessment_data, consultation_result,
workshop_point, partner_data or other); each action its owner_organisation, due_date, funding and
KPIs (baseline, target, direction, frequency, source, and the measure it is bound to, if any, with
its values). Set SAFERPLAN_SITE_URL to make the addresses absolute.
"""


def register(subparsers) -> None:
    import argparse

    plan = subparsers.add_parser("plan", help="the community safety plan")
    commands = plan.add_subparsers(dest="plan_command", metavar="SUBCOMMAND")
    export = commands.add_parser("export", help="export the current plan", description=EXPORT_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    export.add_argument("--partnership", metavar="SLUG",
                        help="the partnership (may be left out when there is only one)")
    export.add_argument("--format", choices=["json", "pdf", "docx"], default="json")
    export.add_argument("--page", choices=["plan-on-a-page", "eia"],
                        help="a single document instead of the full plan (PDF only for the plan on a page)")
    export.add_argument("--out", metavar="FILE", default="-", help="output file ('-' for standard output, json only)")
    export.add_argument("--adopted", action="store_true",
                        help="the adopted plan (what the public sees), not a revision being drafted")
    export.set_defaults(handler=run_export)


def run_export(args) -> int:
    setup_django()
    from saferplan.partnership.models import Partnership

    from . import documents, services

    if args.partnership:
        partnership = Partnership.objects.filter(slug=args.partnership).first()
        if partnership is None:
            known = ", ".join(Partnership.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"--partnership {args.partnership}: no such partnership (known: {known})")
    else:
        partnerships = list(Partnership.objects.all()[:2])
        if not partnerships:
            raise CommandError("there are no partnerships yet")
        if len(partnerships) > 1:
            known = ", ".join(Partnership.objects.values_list("slug", flat=True))
            raise CommandError(f"give --partnership SLUG (one of: {known})")
        partnership = partnerships[0]
    plan = services.adopted_plan(partnership) if args.adopted else services.current_plan(partnership)
    if plan is None:
        raise CommandError(f"{partnership.name} has no {'adopted ' if args.adopted else ''}plan yet")
    if args.page == "plan-on-a-page" and args.format != "pdf":
        raise CommandError("--page plan-on-a-page is a PDF: give --format pdf")
    if args.format != "json" and args.out == "-":
        raise CommandError(f"--format {args.format} needs --out FILE")

    if args.format == "json":
        content = documents.export_json(plan) + "\n"
        if args.out == "-":
            sys.stdout.write(content)
            return 0
        Path(args.out).write_text(content, encoding="utf-8")
    else:
        if args.page == "plan-on-a-page":
            data = documents.plan_on_a_page_pdf(plan)
        elif args.page == "eia":
            data = documents.eia_file(plan, args.format)
        else:
            data = documents.plan_file(plan, args.format)
        Path(args.out).write_bytes(data)
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0
