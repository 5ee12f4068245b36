"""Responses from elsewhere: a CSV, one response a row, checked whole before anything is stored.

The command line's format: the header row holds question codes; each cell holds an option's
label (multiple choice: labels joined by ``;``), or the text of a free-text answer. A web upload
from another platform is first mapped (column -> question). Either way the import is all or
nothing, and every error names its line and column.
"""
from __future__ import annotations

import csv
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from saferplan.ops import jobs
from saferplan.wording import counted

from . import services
from .models import MAX_OTHER, Channel, ImportBatch, Question, Survey

log = logging.getLogger(__name__)

SUBMITTED_AT = "submitted_at"  # an optional column: when the response was made
DATE_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"]
MAX_ROWS = 200_000
PROGRESS_EVERY = 1000
CHECKED = "Checked"  # the message of a batch checked without errors, waiting for "Import"
SAVE_AS = "save it as CSV UTF-8 (in Excel: Save As, then “CSV UTF-8 (Comma delimited)”) and try again"


class FileRefused(ValueError):
    """The file cannot be read as a CSV at all; the message names the file and the line."""


class AlreadyImported(Exception):
    """Another request imported this batch first."""


def _line_and_column(raw: bytes, position: int) -> tuple[int, int]:
    """The line (1-based) and the CSV column (1-based) in which byte ``position`` falls."""
    before = raw[:position].decode("utf-8", "replace")
    line = before.count("\n") + 1
    partial = before.rsplit("\n", 1)[-1]
    try:
        column = len(next(csv.reader([partial]), [""])) or 1
    except csv.Error:
        column = 1
    return line, column


def decode(filename: str, raw: bytes) -> str:
    """The text of an uploaded CSV, or FileRefused saying what is wrong and where.

    Only UTF-8 is accepted: any other encoding would be guessed, and a wrong guess stores
    mis-read text (a cp1252 guess reads UTF-16 as letters and NULs)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 3 and (raw[1:2] == b"\x00" or raw[0:1] == b"\x00")):
        raise FileRefused(f"{filename}, line 1: the file is saved as UTF-16 (“Unicode text”), not CSV UTF-8; {SAVE_AS}")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(raw, nul)
        raise FileRefused(f"{filename}, line {line}, column {column} ({column_name(column)}): a NUL byte: "
                          f"this is not a CSV text file; {SAVE_AS}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(raw, exc.start)
        raise FileRefused(f"{filename}, line {line}, column {column} ({column_name(column)}): byte "
                          f"0x{raw[exc.start]:02X} is not UTF-8 text; {SAVE_AS}") from None
    return text


def header_problems(filename: str, header: list[str]) -> list[str]:
    """A header must name each column once: a column named twice could not be told apart."""
    problems, first = [], {}
    for index, name in enumerate(header, 1):
        key = name.strip().lstrip("\ufeff").casefold()
        if not key:
            continue
        if key in first:
            problems.append(f"{filename}, line 1, column {index} ({column_name(index)}): “{name.strip()[:60]}” "
                            f"appears twice (also column {first[key]} ({column_name(first[key])})); "
                            "rename or remove one of them")
        else:
            first[key] = index
    return problems


def read_upload(filename: str, raw: bytes) -> str:
    """Decoded text of a survey CSV that can be mapped: readable, with a header, no column twice."""
    text = decode(filename, raw)
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        header = next(rows, None)
        for _ in rows:
            pass
    except csv.Error as exc:
        raise FileRefused(f"{filename}, line {rows.line_num}: {exc}; {SAVE_AS}") from None
    if not header or not any(cell.strip() for cell in header):
        raise FileRefused(f"{filename}, line 1: the first row must name the columns")
    problems = header_problems(filename, header)
    if problems:
        raise FileRefused(problems[0])
    return text


@dataclass
class Checked:
    submissions: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rows: int = 0
    width: int | None = None  # cells in the header row


def _norm(text: str) -> str:
    return " ".join(text.replace("–", "-").replace("’", "'").split()).casefold()


def column_name(index: int) -> str:
    """1 -> A, 27 -> AA: how a spreadsheet names the column."""
    name = ""
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


class CellReader:
    """Turns a cell into an answer for one question, or says what is wrong with it."""

    def __init__(self, question: Question, separator: str = ";"):
        self.question = question
        self.separator = separator
        self.options = list(question.options.all())
        self.exact = {o.label: o for o in self.options}
        self.loose = {_norm(o.label): o for o in self.options}
        for o in self.options:
            if o.code:
                self.loose.setdefault(_norm(o.code), o)
        self.other = next((o for o in self.options if o.is_other), None)

    def read(self, cell: str) -> tuple[dict | None, str]:
        q = self.question
        cell = cell.strip()
        if not cell:
            return None, ""
        if not q.is_choice:
            if len(cell) > q.max_length:
                return None, f"the answer is {len(cell):,} characters long; the most allowed is {q.max_length:,}"
            return {"text": cell}, ""
        parts = [p.strip() for p in cell.split(self.separator)] if q.is_multiple else [cell]
        chosen, other_text = [], ""
        for part in parts:
            if not part:
                continue
            option = self.exact.get(part) or self.loose.get(_norm(part))
            if option is None and self.other is not None and re.match(r"(?i)^other\s*[:\-–]\s*", part):
                option, other_text = self.other, re.sub(r"(?i)^other\s*[:\-–]\s*", "", part)[:MAX_OTHER]
            if option is None:
                return None, f"“{part[:80]}” is not an option of {q.code}"
            if option.pk not in chosen:
                chosen.append(option.pk)
        if not q.is_multiple and len(chosen) > 1:
            return None, f"{q.code} takes one answer"
        if q.max_choices and len(chosen) > q.max_choices:
            return None, f"{counted(len(chosen), 'option')} chosen; {q.code} allows no more than {q.max_choices}"
        return {"options": chosen, "other": other_text}, ""


def _parse_when(cell: str):
    cell = cell.strip()
    for fmt in DATE_FORMATS:
        try:
            value = datetime.strptime(cell, fmt)
        except ValueError:
            continue
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    return None


def check_rows(survey: Survey, text: str, mapping: dict[int, str], separator: str = ";",
               channel: str = Channel.IMPORTED, header_lines: int = 1, filename: str = "",
               progress=None) -> Checked:
    """Read every data row; ``mapping`` is column index (0-based) -> question code or SUBMITTED_AT.
    Each error names the file (when given), the line, the column and the question.
    ``progress(rows)`` is told every PROGRESS_EVERY rows."""
    questions = {q.code: q for q in survey.ordered_questions()}
    readers = {i: CellReader(questions[code], separator) for i, code in mapping.items() if code in questions}
    checked = Checked()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for record in reader:
            _check_record(reader, record, header_lines, checked, readers, mapping, channel)
            if checked.rows > MAX_ROWS:
                break
            if progress and checked.rows % PROGRESS_EVERY == 0:
                progress(checked.rows)
    except csv.Error as exc:
        checked.errors.append(f"Line {reader.line_num}: {exc}")
    if filename:
        checked.errors = [f"{filename}, {e[0].lower()}{e[1:]}" for e in checked.errors]
    return checked


def _check_record(reader, record, header_lines, checked, readers, mapping, channel) -> None:
    width = checked.width
    if reader.line_num <= header_lines:
        checked.width = len(record)
        return
    if not any(cell.strip() for cell in record) and len(record) <= 1:
        return  # a blank line
    line = reader.line_num
    checked.rows += 1
    if checked.rows > MAX_ROWS:
        checked.errors.append(f"Line {line}: more than {MAX_ROWS:,} rows; split the file")
        return
    if width is not None and len(record) > width:
        checked.errors.append(f"Line {line}, column {width + 1} ({column_name(width + 1)}): {len(record)} cells "
                              f"but the header names {width} columns")
        return
    answers, when = {}, None
    for index, cell in enumerate(record):
        if index in readers:
            value, problem = readers[index].read(cell)
            if problem:
                checked.errors.append(f"Line {line}, column {index + 1} ({column_name(index + 1)}, "
                                      f"{readers[index].question.code}): {problem}")
            elif value is not None:
                answers[readers[index].question.code] = value
        elif mapping.get(index) == SUBMITTED_AT and cell.strip():
            when = _parse_when(cell)
            if when is None:
                checked.errors.append(f"Line {line}, column {index + 1} ({column_name(index + 1)}, {SUBMITTED_AT}): "
                                      f"“{cell[:40]}” is not a date like 2024-07-10 or 10/07/2024")
    checked.submissions.append(services.Submission(answers=answers, channel=channel, submitted_at=when,
                                                   extra={"import_row": line}))


def check_cli_file(survey: Survey, text: str, filename: str = "") -> Checked:
    """The command line's format: the header must be question codes (and optionally submitted_at)."""
    where = f"{filename}, line" if filename else "Line"
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return Checked(errors=[f"{where} 1: {exc}"])
    if not header:
        return Checked(errors=[f"{where} 1: the file is empty; the first row must hold question codes"])
    header[0] = header[0].lstrip("\ufeff")
    codes = set(survey.questions.values_list("code", flat=True))
    mapping, errors, seen = {}, [], set()
    for index, name in enumerate(header):
        name = name.strip()
        if name in seen:
            errors.append(f"{where} 1, column {index + 1} ({column_name(index + 1)}): {name} appears twice")
        elif name in codes or name == SUBMITTED_AT:
            mapping[index] = name
        else:
            errors.append(f"{where} 1, column {index + 1} ({column_name(index + 1)}): “{name[:60]}” is not a question "
                          f"code of {survey.slug}")
        seen.add(name)
    checked = check_rows(survey, text, mapping, filename=filename)
    checked.errors = errors + checked.errors
    return checked


def check_file(survey: Survey, filename: str, raw: bytes) -> Checked:
    """A file in the command line's format, from its bytes: refused whole or ready whole."""
    try:
        text = decode(filename, raw)
    except FileRefused as exc:
        return Checked(errors=[str(exc)])
    return check_cli_file(survey, text, filename)


def import_checked(survey: Survey, checked: Checked, progress=None) -> int:
    if checked.errors:
        raise ValueError("refusing to import a file with errors")
    return services.record_many(survey, checked.submissions, progress=progress)


# The web import: upload, map, check, import ------------------------------------------------------

def _header(text: str) -> list[str]:
    row = next(csv.reader(io.StringIO(text, newline="")), [])
    if row:
        row[0] = row[0].lstrip("\ufeff")
    return row


def guess_mapping(survey: Survey, text: str) -> dict:
    questions = list(survey.ordered_questions())
    by_code = {q.code.casefold(): q.code for q in questions}
    by_text = {_norm(q.text): q.code for q in questions}
    columns = {}
    for index, name in enumerate(_header(text)):
        key = _norm(name)
        guess = by_code.get(name.strip().casefold()) or by_text.get(key)
        if not guess:
            guess = next((q.code for q in questions if key and len(key) > 15 and
                          (_norm(q.text).startswith(key) or key.startswith(_norm(q.text)))), "")
        if not guess and key in ("submitted_at", "date", "submitted", "timestamp", "response date", "completed"):
            guess = SUBMITTED_AT
        columns[str(index)] = guess or ""
    return {"columns": columns, "separator": ";"}


def columns_with_mapping(batch: ImportBatch) -> list[dict]:
    rows = list(csv.reader(io.StringIO(batch.content, newline="")))
    header = rows[0] if rows else []
    sample = rows[1] if len(rows) > 1 else []
    columns = batch.mapping.get("columns", {})
    return [{"index": i, "header": name.lstrip("\ufeff"), "sample": sample[i] if i < len(sample) else "",
             "mapped": columns.get(str(i), "")} for i, name in enumerate(header)]


def mapping_from_post(batch: ImportBatch, data) -> dict:
    codes = set(batch.survey.questions.values_list("code", flat=True)) | {SUBMITTED_AT}
    columns = {}
    for i, _ in enumerate(_header(batch.content)):
        value = data.get(f"column-{i}", "")
        columns[str(i)] = value if value in codes else ""
    separator = data.get("separator", ";")
    return {"columns": columns, "separator": separator if separator in (";", ",", "|") else ";"}


def check_batch(batch: ImportBatch, progress=None) -> Checked:
    mapping = {int(i): code for i, code in batch.mapping.get("columns", {}).items() if code}
    checked = check_rows(batch.survey, batch.content, mapping, batch.mapping.get("separator", ";"),
                         filename=batch.filename, progress=progress)
    used = [code for code in mapping.values() if code != SUBMITTED_AT]
    doubles = {code for code in used if used.count(code) > 1}
    if doubles:
        checked.errors.insert(0, f"Each question can come from one column only: {', '.join(sorted(doubles))}")
    if not used:
        checked.errors.insert(0, "Match at least one column to a question")
    return checked


def import_batch(batch: ImportBatch, checked: Checked, progress=None) -> int:
    """Import a checked batch exactly once, however many requests or workers try at once.

    The batch is claimed by a conditional UPDATE of its status inside the import's transaction
    (from waiting for its mapping, or from running on the worker that claimed it): a second
    attempt waits for the first to commit, then finds nothing to claim. The unique (batch, line)
    constraint on responses backs this up."""
    try:
        with transaction.atomic():
            claimed = (ImportBatch.objects.filter(pk=batch.pk, status__in=[ImportBatch.Status.MAPPING,
                                                                          ImportBatch.Status.RUNNING])
                       .update(status=ImportBatch.Status.IMPORTED, errors=[], finished_at=timezone.now()))
            if not claimed:
                raise AlreadyImported
            for s in checked.submissions:
                s.extra = {**s.extra, "import_batch": batch}
            count = import_checked(batch.survey, checked, progress=progress)
            # The uploaded file may hold personal data: keep only what was imported.
            ImportBatch.objects.filter(pk=batch.pk).update(rows=count, content="", message="Imported",
                                                           progress_done=count, progress_total=count)
    except (IntegrityError, OperationalError) as exc:
        # Another request holds or has taken the batch (SQLite: "database is locked").
        if "locked" not in str(exc) and "import_row" not in str(exc):
            raise
        raise AlreadyImported from None
    batch.status, batch.rows, batch.content = ImportBatch.Status.IMPORTED, count, ""
    return count


def queue_batch(batch: ImportBatch, mapping: dict) -> bool:
    """Save the mapping and queue the batch for the worker to check and import; False when it is
    already queued, importing or imported (a second press adds nothing)."""
    from .tasks import import_survey_batch

    queued = ImportBatch.objects.filter(pk=batch.pk, status__in=[ImportBatch.Status.MAPPING]).update(
        mapping=mapping, status=ImportBatch.Status.QUEUED, errors=[], message="Waiting to start",
        progress_done=0, progress_total=0, worker_host="", worker_pid=None, updated_at=timezone.now())
    if queued:
        import_survey_batch.enqueue(batch.pk)
    batch.refresh_from_db()
    return bool(queued)


def retry_batch(batch: ImportBatch) -> None:
    """Queue again a batch whose worker stopped: nothing of it was kept (one transaction)."""
    from .tasks import import_survey_batch

    jobs.requeue(batch)
    import_survey_batch.enqueue(batch.pk)
    batch.refresh_from_db()


def run_batch(batch_id: int) -> None:
    """The worker's task: check the whole file, then import it in one transaction, with progress
    for the page. A file with errors goes back to its mapping, with the errors, and adds nothing."""
    if not jobs.claim(ImportBatch, batch_id, "Checking the rows"):
        return
    batch = ImportBatch.objects.select_related("survey").get(pk=batch_id)
    # Rows in the file, for the bar (a quoted cell may hold a line break: then it is an estimate).
    lines = max(batch.content.count("\n") - 1, 1)
    state = {"done": 0, "total": lines * 2, "message": "Checking the rows"}
    checking = lambda rows: state.update(done=min(rows, lines))  # noqa: E731
    importing = lambda rows: state.update(done=lines + min(rows, lines),  # noqa: E731
                                          message=f"Importing: {rows:,} of {lines:,} responses")
    with jobs.running(batch, state):
        try:
            checked = check_batch(batch, progress=checking)
            if checked.errors:
                ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
                    status=ImportBatch.Status.MAPPING, errors=checked.errors[:50], message="Refused",
                    finished_at=timezone.now())
                return
            if batch.mapping.get("check_only"):
                ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
                    status=ImportBatch.Status.MAPPING, message=CHECKED, progress_done=checked.rows,
                    progress_total=checked.rows, finished_at=timezone.now())
                return
            state.update(done=lines, message="Importing")
            import_batch(batch, checked, progress=importing)
        except AlreadyImported:
            pass
        except Exception as exc:  # noqa: BLE001 - any failure must end the job, not leave it running
            log.exception("survey import batch %s failed", batch.pk)
            ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RUNNING).update(
                status=ImportBatch.Status.MAPPING, message="Failed", finished_at=timezone.now(),
                errors=[f"The import stopped because of an unexpected problem ({type(exc).__name__}). "
                        "Nothing from it was kept."])
