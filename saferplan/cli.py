"""The `saferplan` console script.

Each stage registers its own subcommands (module-level ``register(subparsers)``), so the command
line calls the same functions as the pages. Commands that need the ORM call ``setup_django()``
first; commands that only analyse files (``assess``) need no database and no prior set-up.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

# Modules that contribute subcommands. Order is the order shown in --help.
COMMAND_MODULES = [
    "saferplan.partnership.cli",
    "saferplan.assessment.cli",
    "saferplan.assessment.reference.cli",
    "saferplan.consultation.cli",
    "saferplan.planning.cli",
    "saferplan.delivery.cli",
    "saferplan.ops.cli",
    "saferplan.erd",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saferplan.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="saferplan", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args) or 0
    except CommandError as exc:
        print(f"saferplan {args.command}: {exc}", file=sys.stderr)
        return 1


class CommandError(Exception):
    """A problem the person running the command can fix; printed without a traceback."""


if __name__ == "__main__":
    sys.exit(main())
