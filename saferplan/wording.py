"""How figures and dates read in pages, documents and messages: one way each.

"1 event" not "1 events"; "30 November 2026" not "2026-11-30" (GOV.UK style).
"""
from __future__ import annotations

from datetime import date, datetime

from django.utils import dateformat, timezone, translation


def counted(count, singular: str, plural: str | None = None) -> str:
    """'1 response', '740 responses', '1,234 records'; plural given where adding s is wrong."""
    try:
        number = int(count)
    except (TypeError, ValueError):
        return f"{count} {plural or singular + 's'}"
    word = singular if number == 1 else (plural or f"{singular}s")
    return f"{number:,} {word}"


def uk_date(value) -> str:
    """'1 April 2026'; a date-time also gets its time, '1 April 2026 at 2:05pm'."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")
    if translation.get_language() == "cy":
        # Welsh public pages (consultation/languages.py): Django's month names are translated.
        return dateformat.format(value, "j F Y")
    return value.strftime("%-d %B %Y")


# A status tag's colour, by the words it shows, so the same status is the same colour on every page
# (its words carry the meaning: colour alone never does). Words not listed are blue.
TAG_COLOURS = {
    "Draft": "grey", "Example data": "grey", "Closed": "grey", "Not yet started": "grey",
    "Open": "green", "Imported": "green", "Accepted": "green", "Completed": "green",
    "Scheduled": "blue",
    "In progress": "light-blue",
    "Refused": "red", "Interrupted": "red", "Rejected": "red",
    "To confirm": "orange", "Under-represented": "orange",
    "Columns to match": "yellow", "New figures": "yellow", "Changed": "yellow", "Weights changed": "yellow",
}
