"""`saferplan survey ...`: a consultation survey's questions, imports, results and retention."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from saferplan.cli import CommandError, setup_django


def register(subparsers) -> None:
    survey = subparsers.add_parser("survey", help="consultation surveys: questions, import, results, purge")
    commands = survey.add_subparsers(dest="survey_command", metavar="SUBCOMMAND")

    def with_slug(parser):
        parser.add_argument("slug", help="the survey's web address name, e.g. community-safety-2024")
        parser.add_argument("--partnership", help="the partnership's slug, when more than one has this survey")
        return parser

    questions = with_slug(commands.add_parser("questions", help="list a survey's questions"))
    questions.add_argument("--format", choices=["json", "text"], default="text")
    questions.set_defaults(handler=run_questions)

    imp = with_slug(commands.add_parser("import", help="import responses from a CSV (all or nothing)"))
    imp.add_argument("file", type=Path, help="CSV: header row of question codes, a cell an option label "
                                              "(multiple choice: labels joined by ;)")
    imp.add_argument("--check", action="store_true", help="check the file without importing it")
    imp.set_defaults(handler=run_import)

    results = with_slug(commands.add_parser("results", help="each question's base and count per option"))
    results.add_argument("--format", choices=["json", "text"], default="text")
    results.set_defaults(handler=run_results)

    purge = commands.add_parser("purge", help="delete personal data of every survey past its purge date, "
                                              "and expired sessions holding answers in progress")
    purge.set_defaults(handler=run_purge)

    lst = commands.add_parser("list", help="list the surveys")
    lst.set_defaults(handler=run_list)

    survey.set_defaults(handler=lambda args: survey.print_help() or 2)


def _survey(args):
    setup_django()
    from .models import Survey

    surveys = Survey.objects.filter(slug=args.slug).select_related("partnership")
    if args.partnership:
        surveys = surveys.filter(partnership__slug=args.partnership)
    found = list(surveys)
    if not found:
        raise CommandError(f"no survey called {args.slug}" + (f" in {args.partnership}" if args.partnership else ""))
    if len(found) > 1:
        raise CommandError(f"{len(found)} partnerships have a survey called {args.slug}: add --partnership "
                           + " or ".join(s.partnership.slug for s in found))
    return found[0]


def run_questions(args) -> int:
    survey = _survey(args)
    data = [
        {"code": q.code, "text": q.text, "type": q.type, "section": q.section.title, "required": q.required,
         "options": [o.label for o in q.options.all()], "max_choices": q.max_choices,
         "allow_other": q.allow_other, "max_length": q.max_length if q.type == "text" else None,
         "show_if": ({"question": q.show_if_option.question.code, "option": q.show_if_option.label}
                     if q.show_if_option_id else None)}
        for q in survey.ordered_questions().select_related("show_if_option__question")
    ]
    if args.format == "json":
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    for q in data:
        limit = f" (up to {q['max_choices']})" if q["max_choices"] else ""
        print(f"{q['code']}  [{q['type']}{limit}]  {q['text']}")
        for label in q["options"]:
            print(f"    - {label}")
    return 0


def run_import(args) -> int:
    survey = _survey(args)
    from . import importer

    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    checked = importer.check_file(survey, str(args.file), raw)
    if checked.errors:
        for error in checked.errors:
            print(error, file=sys.stderr)
        raise CommandError(f"{len(checked.errors)} error{'s' if len(checked.errors) != 1 else ''} "
                           f"in {args.file}; nothing was imported")
    if args.check:
        print(f"{checked.rows} responses in {args.file} are ready to import")
        return 0
    count = importer.import_checked(survey, checked)
    print(f"Imported {count} responses into {survey.slug}")
    return 0


def run_results(args) -> int:
    survey = _survey(args)
    from .analysis import example_responses, results_json

    data = results_json(survey)
    examples = example_responses(survey)
    if examples:
        print(f"EXAMPLE DATA: {examples:,} of these responses were made up by a program for the demo; "
              "they are not the views of real people.", file=sys.stderr)
    if args.format == "json":
        json.dump([{k: q[k] for k in ("code", "question", "base", "options")} for q in data], sys.stdout,
                  indent=2, ensure_ascii=False)
        print()
        return 0
    for q in data:
        print(f"{q['code']}  {q['question']}  (base {q['base']})")
        for o in q["options"]:
            print(f"    {o['count']:>7}  {o['percent']:>5.1f}%  {o['label']}")
    return 0


def run_purge(args) -> int:
    setup_django()
    from .services import clear_expired_sessions, purge_due

    logs = purge_due()
    clear_expired_sessions()
    print("Expired sessions (answers in progress) deleted.")
    for log in logs:
        print(f"{log.survey.slug}: personal data deleted ({', '.join(f'{k} {v}' for k, v in log.counts.items())})")
    if not logs:
        print("No survey is past its purge date.")
    return 0


def run_list(args) -> int:
    setup_django()
    from .models import Survey

    for s in Survey.objects.select_related("partnership").order_by("partnership__slug", "-opens_on"):
        made_up = s.responses.filter(is_example=True).count()
        print(f"{s.partnership.slug}  {s.slug}  {s.status}  {s.opens_on} to {s.closes_on}  {s.responses.count()} responses"
              + (f" ({made_up} made-up examples)" if made_up else ""))
    return 0
