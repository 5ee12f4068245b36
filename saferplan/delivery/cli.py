"""`saferplan delivery report`, `scrutiny-report` and `remind`: the board report, the annual
report to scrutiny and the reminders a scheduler sends, from the command line."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from saferplan.cli import CommandError, setup_django

REPORT_HELP = """\
The quarterly performance report for the board, for one financial-year quarter of the adopted plan
(Q1 is April to June: --quarter 2025-26-Q2 is July to September 2025).

JSON holds partnership, quarter, actions (each {"title", "owner", "due", "status", "rag",
"return": {"quarter", "narrative", "spend"} or null}), kpis (each {"title", "unit", "baseline",
"target", "direction", "values": [{"quarter", "value"}], "rag"}), risks (each {"title", "owner",
"likelihood", "impact", "rating", "review_due", "overdue"}), risk_matrix (the matrix the ratings
come from) and funding (each {"source", "year", "amount", "allocated", "spent", "remaining"}, amounts
as strings of pounds and pence). The rules behind every RAG and flag are under "rules".
"""


def register(subparsers) -> None:
    delivery = subparsers.add_parser("delivery", help="quarterly returns, the board report and reminders")
    commands = delivery.add_subparsers(dest="delivery_command", metavar="SUBCOMMAND")
    report = commands.add_parser("report", help="the board's quarterly performance report", description=REPORT_HELP,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("--partnership", metavar="SLUG", help="the partnership (may be left out when there is only one)")
    report.add_argument("--quarter", required=True, metavar="YYYY-YY-QN", help="for example 2025-26-Q2")
    report.add_argument("--format", choices=["json", "pdf", "docx"], default="json")
    report.add_argument("--out", metavar="FILE", default="-", help="output file ('-' for standard output, json only)")
    report.set_defaults(handler=run_report)

    scrutiny = commands.add_parser(
        "scrutiny-report", help="the annual report to the Crime and Disorder scrutiny committee",
        description="The annual report to the council's Crime and Disorder scrutiny committee for one financial "
                    "year of the adopted plan: the narrative written on its page, the figures drawn from the "
                    "returns, KPIs, risk register, funding and JAG problems.")
    scrutiny.add_argument("--partnership", metavar="SLUG", help="the partnership (may be left out when there is only one)")
    scrutiny.add_argument("--year", required=True, metavar="YYYY-YY", help="the financial year, for example 2025-26")
    scrutiny.add_argument("--format", choices=["pdf", "docx"], required=True)
    scrutiny.add_argument("--out", metavar="FILE", required=True)
    scrutiny.set_defaults(handler=run_scrutiny_report)

    remind = commands.add_parser("remind", help="email the owners of overdue quarterly returns (for a scheduler)")
    remind.add_argument("--every", type=int, default=7, metavar="DAYS",
                        help="do not remind an organisation again within this many days (default 7)")
    remind.set_defaults(handler=run_remind)


def _partnership(slug):
    from saferplan.partnership.models import Partnership

    if slug:
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None:
            known = ", ".join(Partnership.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"--partnership {slug}: no such partnership (known: {known})")
        return partnership
    partnerships = list(Partnership.objects.all()[:2])
    if not partnerships:
        raise CommandError("there are no partnerships yet")
    if len(partnerships) > 1:
        raise CommandError(f"give --partnership SLUG (one of: {', '.join(Partnership.objects.values_list('slug', flat=True))})")
    return partnerships[0]


def run_report(args) -> int:
    from saferplan.core.periods import Quarter

    try:
        quarter = Quarter.parse(args.quarter)
    except ValueError as exc:
        raise CommandError(f"--quarter: {exc}") from None
    if args.format != "json" and args.out == "-":
        raise CommandError(f"--format {args.format} needs --out FILE")
    setup_django()
    from .services import reports

    partnership = _partnership(args.partnership)
    try:
        content = reports.board_file(partnership, quarter, args.format)
    except reports.ReportRefused as exc:
        raise CommandError(str(exc)) from None
    if args.out == "-":
        sys.stdout.write(content.decode() + "\n")
        return 0
    Path(args.out).write_bytes(content)
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0


def run_scrutiny_report(args) -> int:
    from saferplan.core.periods import FinancialYear

    try:
        FinancialYear.parse(args.year)
    except ValueError as exc:
        raise CommandError(f"--year: {exc}") from None
    setup_django()
    from .services import scrutiny

    partnership = _partnership(args.partnership)
    try:
        content = scrutiny.scrutiny_file(partnership, args.year, args.format)
    except scrutiny.ScrutinyRefused as exc:
        raise CommandError(str(exc)) from None
    Path(args.out).write_bytes(content)
    print(f"Wrote {args.out}", file=sys.stderr)
    return 0


def run_remind(args) -> int:
    setup_django()
    from .services.returns import remind_all

    sent = remind_all(every_days=args.every)
    for reminder in sent:
        print(f"Reminded {reminder.organisation.name} ({reminder.actions} overdue, {reminder.recipients} "
              f"recipient{'s' if reminder.recipients != 1 else ''}) for {reminder.round.period.label}")
    print(f"{len(sent)} reminder{'s' if len(sent) != 1 else ''} sent", file=sys.stderr)
    return 0
