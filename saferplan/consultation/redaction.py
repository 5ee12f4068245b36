"""Personal data typed into free text ("Signed Mrs J Smith, 12 Park Road"): found, masked in
every output, and redacted by staff with a record of who, when and what.

Finding is a heuristic (patterns for titles and names, house-number addresses, postcodes, phone
numbers and email addresses): it flags for a person to check. Outputs never wait for that
check: every text they show passes through ``masked``, so a flagged phrase is replaced even in
an answer nobody has reviewed yet. A staff redaction replaces the answer's text itself; the
original is kept on the ``Redaction`` until the survey's purge date, for managers only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import COUNTED, Answer, Redaction, Survey

PLACEHOLDER = {
    "name": "[name removed]",
    "address": "[address removed]",
    "postcode": "[postcode removed]",
    "phone": "[phone number removed]",
    "email": "[email removed]",
}
PLACEHOLDER_PATTERN = re.compile("|".join(re.escape(p) for p in PLACEHOLDER.values()))
KIND_LABELS = {"name": "a name", "address": "an address", "postcode": "a postcode", "phone": "a phone number",
               "email": "an email address"}

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Rev|Revd|Sir|Dame|Lady|Lord|Cllr|PC|PCSO|Sgt)"
_CAPITALISED = r"[A-Z][a-zA-Z'’-]+"
_STREET = (r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|place|gardens|grove|"
           r"terrace|hill|walk|square|mews|row|view|green|park|rise|parade|yard|gate|croft|fields|meadow|meadows)")
# Words that mean "how far", not "which house": "5 minutes down the road" is not an address.
_NOT_ADDRESS = {"minute", "minutes", "min", "mins", "mile", "miles", "yard", "yards", "metre", "metres", "times", "time",
                "the", "a", "an", "down", "up", "along", "across", "on", "of", "in", "at", "by", "to", "from", "or",
                "and", "years", "year", "days", "weeks", "months", "hours", "cars", "people", "kids", "youths"}
# Common given names in England and Wales (ONS baby names, most frequent over several decades): a
# capitalised word after one of them is likely a surname ("John Smith at 4 Elm Road").
FIRST_NAMES = set("""
Aaron Abdul Abigail Adam Adrian Ahmed Aisha Alan Albert Alex Alexander Alfie Ali Alice Alison Amanda Amber Amelia Amy
Andrea Andrew Angela Ann Anna Anne Anthony Archie Arthur Ashley Barbara Barry Ben Benjamin Beth Bethany Bob Brenda Brian
Callum Carl Carol Caroline Catherine Charles Charlie Charlotte Chloe Chris Christine Christopher Claire Colin Connor Craig
Daniel Danny Darren Dave David Dawn Dean Debbie Deborah Denise Dennis Derek Diane Dominic Donna Dylan Edward Eileen
Elizabeth Ella Ellie Emily Emma Eric Ethan Evie Fiona Frank Freddie Freya Gary Gavin Gemma Geoff George Georgia Gordon
Grace Graham Hannah Harry Harvey Hayley Heather Helen Henry Holly Ian Isabella Isla Jack Jackie Jacob Jade Jake James
Jamie Jane Janet Jasmine Jason Jayden Jean Jennifer Jenny Jessica Jill Jim Joan Joanne Joe Joel John Jonathan Joseph
Joshua Joyce Julie Karen Kate Katie Kayleigh Keith Kelly Kevin Kieran Kim Kirsty Laura Lauren Leah Lee Leo Lewis Liam
Lily Linda Lisa Logan Louise Lucy Luke Lynn Madison Maisie Margaret Maria Marie Mark Martin Mary Matthew Megan Melanie
Mia Michael Michelle Mike Mohammed Mohammad Muhammad Natalie Nathan Neil Nicholas Nicola Nigel Noah Oliver Olivia Oscar
Owen Pamela Patricia Paul Pauline Peter Philip Phoebe Poppy Rachel Rebecca Richard Rita Robert Robin Ronald Rosie Ross
Ruby Ryan Sally Samantha Samuel Sandra Sarah Scott Sean Sharon Shaun Sheila Simon Sophie Stacey Stephen Steve Steven
Stuart Susan Sylvia Terry Thomas Tim Toby Tom Tony Tracey Tracy Valerie Vicky Victoria Wayne William Zoe
""".split())

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)),
    ("phone", re.compile(r"(?<![\w])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")),
    ("address", re.compile(rf"\b\d{{1,4}}[a-zA-Z]?,?\s+(?:[A-Za-z'’-]+\s+){{0,3}}{_STREET}\b", re.IGNORECASE)),
    ("name", re.compile(rf"\b{_TITLE}\.?\s+(?:[A-Z]\.?\s+){{0,2}}{_CAPITALISED}(?:\s+{_CAPITALISED})?")),
    ("name", re.compile(rf"(?:\b[Mm]y name is|\b[Ss]igned|\b[Yy]ours (?:sincerely|faithfully),?|\b[Rr]egards,?)\s*:?\s+"
                        rf"(?P<who>(?:[A-Z]\.?\s+){{0,2}}{_CAPITALISED}(?:\s+{_CAPITALISED})?)")),
    ("name", re.compile(rf"\b(?P<who>(?:{'|'.join(sorted(FIRST_NAMES))})\s+{_CAPITALISED})")),
]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


def _plausible(kind: str, text: str) -> bool:
    if kind == "address":
        words = re.findall(r"[A-Za-z'’-]+", text)[:-1]  # the words between the number and "Road"
        return not any(w.lower() in _NOT_ADDRESS for w in words)
    if kind == "phone":
        return len(re.sub(r"\D", "", text)) >= 10
    return True


def find(text: str) -> list[Finding]:
    """Likely personal data in a text, in order, overlapping findings merged into the first kind."""
    found: list[Finding] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text or ""):
            start, end = m.span("who") if "who" in pattern.groupindex else m.span()
            if _plausible(kind, m.group(0)):
                found.append(Finding(kind, start, end, text[start:end]))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for f in found:
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            if f.end > last.end:
                merged[-1] = Finding(last.kind, last.start, f.end, text[last.start:f.end])
            continue
        merged.append(f)
    return merged


def masked(text: str) -> str:
    """The text with every likely piece of personal data replaced by what it was ("[name removed]")."""
    if not text:
        return text
    findings = find(text)
    for f in reversed(findings):
        text = text[:f.start] + PLACEHOLDER[f.kind] + text[f.end:]
    return text


def texts_to_check(survey: Survey):
    """Counted answers with text (free text, and the words of "Other – please specify")."""
    return (Answer.objects.filter(response__survey=survey, response__status__in=COUNTED).exclude(text="")
            .select_related("question", "option", "redaction").order_by("pk"))


def flagged(survey: Survey, limit: int = 2000) -> list[tuple[Answer, list[Finding]]]:
    """Answers not yet redacted in which personal data seems to be, with what was found."""
    out = []
    for answer in texts_to_check(survey).filter(Q(redaction__isnull=True)).iterator(chunk_size=2000):
        findings = find(answer.text)
        if findings:
            out.append((answer, findings))
            if len(out) >= limit:
                break
    return out


@transaction.atomic
def redact(answer: Answer, by, text: str | None = None) -> Redaction:
    """Replace an answer's text by its redacted version (the suggestion, or what staff wrote),
    keeping the original until the purge and recording who did it and what was removed."""
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    original = answer.text
    existing = Redaction.objects.filter(answer=answer).first()
    if existing is not None:
        original = existing.original or original
    new_text = masked(original) if text is None else masked(text)
    kinds = sorted({f.kind for f in find(original)})
    if existing is None:
        redaction = Redaction.objects.create(answer=answer, original=original, kinds=kinds, redacted_by=by,
                                             redacted_at=timezone.now())
    else:
        existing.kinds, existing.redacted_by, existing.redacted_at = kinds, by, timezone.now()
        existing.save(update_fields=["kinds", "redacted_by", "redacted_at"])
        redaction = existing
    answer.text = new_text
    answer.save(update_fields=["text"])
    return redaction
