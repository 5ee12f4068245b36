"""`saferplan operator create` and `saferplan partnership create|list`: the site operator's work
from the command line, through the same services as the operator's pages."""
from __future__ import annotations

from datetime import date

from saferplan.cli import CommandError, setup_django


def register(subparsers) -> None:
    operator = subparsers.add_parser("operator", help="site operators: who creates and suspends partnerships")
    actions = operator.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create", help="make EMAIL a site operator and print their one-time sign-in link",
        description="Print a one-time link (valid 14 days) with which the person sets up their "
                    "sign-in, then a second factor, as a site operator. Operators see no "
                    "partnership's data unless a partnership gives them a role.")
    create.add_argument("email", metavar="EMAIL")
    create.add_argument("--name", default="", help="their full name (they can change it)")
    create.set_defaults(handler=run_operator_create)

    partnership = subparsers.add_parser("partnership", help="create and list partnerships (the site operator's act)")
    actions = partnership.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create", help="create a partnership and print its first manager's invitation link",
        description="Create a partnership covering one or more local authorities (England or "
                    "Wales) and invite its first manager. The police forces are those whose "
                    "records fall in the area in the crime data loaded, or --force.")
    create.add_argument("--name", required=True)
    create.add_argument("--slug", required=True, help="the short name in its web addresses, e.g. melton")
    create.add_argument("--area", required=True, metavar="CODE[,CODE...]",
                        help="local authority codes (or names), comma-separated, e.g. E07000133 or W06000015")
    create.add_argument("--manager", required=True, metavar="EMAIL", help="the first manager, invited by email")
    create.add_argument("--manager-name", default="", help="the first manager's full name")
    create.add_argument("--force", action="append", default=[], metavar="NAME",
                        help="a police force serving the area, as police.uk names it (repeat for more); "
                             "needed when no crime data for the area has been loaded")
    create.add_argument("--start", type=_date, help="plan period start, YYYY-MM-DD (default: next 1 April)")
    create.add_argument("--end", type=_date, help="plan period end, YYYY-MM-DD (default: three years on)")
    create.set_defaults(handler=run_partnership_create)

    listing = actions.add_parser("list", help="every partnership with its status, storage and last activity")
    listing.set_defaults(handler=run_partnership_list)


def _date(text: str) -> date:
    import argparse

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-04-01") from None


def _messages(exc) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {m}" if field != "__all__" else m
                         for field, ms in exc.message_dict.items() for m in ms)
    return "; ".join(exc.messages)


def run_operator_create(args) -> int:
    setup_django()
    from .services import OperatorError, invite_operator

    try:
        invitation, url = invite_operator(args.email, args.name)
    except OperatorError as exc:
        raise CommandError(_messages(exc)) from None
    print(f"{invitation.email} can become a site operator with this one-time link (valid 14 days):")
    print(f"  {url}")
    return 0


def run_partnership_create(args) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from .services import POLICE_FORCES, OperatorError, create_partnership, forces_found, invite_manager, resolve_areas

    try:
        areas = resolve_areas(args.area.split(","), where="--area entry")
    except OperatorError as exc:
        raise CommandError(_messages(exc)) from None
    found = forces_found([a.code for a in areas])
    if args.force:
        unknown = [f for f in args.force if f not in POLICE_FORCES and f not in dict(found)]
        if unknown:
            raise CommandError(f"--force: {', '.join(unknown)} is not a police force as police.uk names it, "
                               f"e.g. {POLICE_FORCES[22]}")
        forces = args.force
    elif found:
        forces = [name for name, _ in found]
    else:
        raise CommandError("no crime data for this area has been loaded, so its police forces are not known: "
                           "give them with --force, e.g. --force 'Leicestershire Police'")
    if (args.start is None) != (args.end is None):
        raise CommandError("give both --start and --end, or neither")
    try:
        with transaction.atomic():
            partnership = create_partnership(name=args.name, slug=args.slug, areas=areas, police_forces=forces,
                                             plan_start=args.start, plan_end=args.end)
            invitation, url = invite_manager(partnership, email=args.manager, full_name=args.manager_name)
    except ValidationError as exc:
        raise CommandError(_messages(exc)) from None
    print(f"Created {partnership.name} ({partnership.slug})")
    print(f"  area: {', '.join(partnership.areas)}")
    print(f"  police forces: {', '.join(partnership.police_forces)}"
          + ("" if args.force else " (from the crime data loaded)"))
    print(f"  plan period: {partnership.plan_start:%d %B %Y} to {partnership.plan_end:%d %B %Y}")
    print(f"{invitation.email} is invited to manage it; the one-time link (valid 14 days, also emailed):")
    print(f"  {url}")
    return 0


def run_partnership_list(args) -> int:
    setup_django()
    from .services import partnership_summaries, shared_store_records

    rows = partnership_summaries()
    if not rows:
        print("No partnerships yet: create one with saferplan partnership create")
        return 0
    print(f"{'slug':<24} {'status':<10} {'managers':>8} {'records':>9} {'crime store':>12}  last activity  name")
    for r in rows:
        status = "suspended" if r.partnership.is_suspended else "active"
        last = f"{r.last_activity:%Y-%m-%d %H:%M}" if r.last_activity else "never"
        print(f"{r.partnership.slug:<24} {status:<10} {r.managers:>8} {r.records:>9} {r.store_records:>12}  "
              f"{last:<14} {r.partnership.name}")
    print(f"Shared crime data (loaded for every partnership): {shared_store_records()} records")
    return 0
