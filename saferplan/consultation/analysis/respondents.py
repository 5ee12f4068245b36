"""Who answered: responses per day, the equality answers in aggregate, and the respondents
against the area's Census 2021 profile."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from saferplan.core.disclosure import EQUALITY_ANSWERS, protect_line, shown

from .. import equality
from ..models import COUNTED, Channel, EqualityResponse, Response, Survey
from .crosstabs import _equality_column
from .results import UNDER_REPRESENTED_RATIO, _counted_condition, counted_responses, percent, wilson


def by_day(survey: Survey) -> dict:
    from django.db import connection

    tz = timezone.get_default_timezone()
    days: dict = {}
    if connection.vendor == "sqlite":
        # SQLite has no time zones: Django would call Python once a row to find the local day.
        # Counted by the hour in UTC instead (a few thousand groups, read from the covering index
        # (survey, submitted_at, status, channel)), each hour then given its local day here, once
        # an hour; exact, because Europe/London's offsets are whole hours.
        day_of: dict[str, object] = {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT SUBSTR(submitted_at, 1, 13), channel, COUNT(*) FROM {Response._meta.db_table}"
                           f" WHERE survey_id = %s AND status IN ({', '.join(['%s'] * len(COUNTED))})"
                           f" GROUP BY 1, 2", [survey.pk, *COUNTED])
            for hour, channel, n in cursor.fetchall():
                day = day_of.get(hour)
                if day is None:
                    day = day_of[hour] = datetime.fromisoformat(f"{hour}:00:00+00:00").astimezone(tz).date()
                days.setdefault(day, Counter())[channel] += n
        days = dict(sorted(days.items()))
    else:
        rows = (counted_responses(survey).annotate(day=TruncDate("submitted_at", tzinfo=tz))
                .values_list("day", "channel").annotate(n=Count("*")).order_by("day"))
        for day, channel, n in rows:
            days.setdefault(day, Counter())[channel] += n
    channels = [c for c in Channel]
    return {"channels": [c.label for c in channels],
            "rows": [{"day": day, "counts": [counts[c.value] for c in channels], "total": sum(counts.values())}
                     for day, counts in days.items()]}


# Who answered, against the Census --------------------------------------------------------------

def census_age(partnership) -> dict[str, int]:
    """Census 2021 usual residents of the partnership's area by the six age bands."""
    from saferplan.assessment.services import census_age as loaded_census_age

    return loaded_census_age(partnership.area_codes)


def equality_counts(survey: Survey) -> dict[str, dict[str, int]]:
    """Counted respondents by each equality question's answer ({code: {answer: count}}), counted
    in the database over the columns it keeps of the answers (not their JSON); no one's answers
    leave it. PostgreSQL groups by every question in one pass (grouping sets); SQLite, which
    has none, in one query of a GROUP BY a question."""
    from django.db import connection

    table = EqualityResponse._meta.db_table
    codes = [q["code"] for q in equality.QUESTIONS]
    columns = [_equality_column(code) for code in codes]
    counted, counted_params = _counted_condition(survey, "response_id")
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A row per answer of one question: the other questions' columns are null in it.
            cursor.execute(f"SELECT {', '.join(columns)}, COUNT(*) FROM {table} WHERE survey_id = %s{counted}"
                           f" GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in columns)})",
                           [survey.pk, *counted_params])
            for *values, n in cursor.fetchall():
                for code, value in zip(codes, values):
                    if value:
                        counts[code][value] = n
        else:
            parts, params = [], []
            for code, column in zip(codes, columns):
                parts.append(f"SELECT %s, {column}, COUNT(*) FROM {table} WHERE survey_id = %s"
                             f" AND {column} IS NOT NULL AND {column} <> ''{counted} GROUP BY {column}")
                params += [code, survey.pk, *counted_params]
            cursor.execute(" UNION ALL ".join(parts), params)
            for code, value, n in cursor.fetchall():
                counts[code][value] = n
    return counts


def census_profile(survey: Survey) -> dict:
    population = census_age(survey.partnership)
    counts: Counter = Counter({value: n for value, n in equality_counts(survey).get("age", {}).items()
                               if value != equality.PREFER_NOT})
    answered = sum(counts.values())
    pop_total = sum(population.get(band, 0) for band, _ in equality.CENSUS_AGE_BANDS)
    rows = []
    # The bands add up to the number who gave an age, which is shown: hide complementary counts.
    hidden = protect_line([counts[label] for _, label in equality.CENSUS_AGE_BANDS], EQUALITY_ANSWERS, answered >= EQUALITY_ANSWERS.threshold)
    for (band, label), small in zip(equality.CENSUS_AGE_BANDS, hidden):
        n = counts[label]
        pop = population.get(band, 0)
        share = percent(n, answered)
        pop_share = percent(pop, pop_total)
        low, high = wilson(n, answered)
        ratio = (n / answered) / (pop / pop_total) if answered and pop and pop_total else None
        rows.append({
            "band": label, "census_band": band, "count": n,
            "count_display": shown(n, EQUALITY_ANSWERS, small),
            "share": None if small else share, "low": None if small else low, "high": None if small else high,
            "population": pop, "population_share": pop_share, "ratio": ratio,
            "under_represented": bool(answered and ratio is not None and ratio < UNDER_REPRESENTED_RATIO),
        })
    return {"rows": rows, "answered": answered, "population": pop_total,
            "answered_display": f"{answered:,}" if answered >= EQUALITY_ANSWERS.threshold or answered == 0 else EQUALITY_ANSWERS.marker,
            "ratio_threshold": UNDER_REPRESENTED_RATIO, "has_census": bool(population)}


def equality_summary(survey: Survey) -> list[dict]:
    """Each equality question's answers in aggregate, counts under 10 suppressed."""
    counted = equality_counts(survey)
    counts: dict[str, Counter] = {q["code"]: Counter(counted.get(q["code"], {})) for q in equality.QUESTIONS}
    summary = []
    for q in equality.QUESTIONS:
        base = sum(counts[q["code"]].values())
        rows = []
        # One answer each: the options add up to the base shown, so hide complementary counts.
        hidden = protect_line([counts[q["code"]][option] for option in q["options"]], EQUALITY_ANSWERS, base >= EQUALITY_ANSWERS.threshold)
        for option, small in zip(q["options"], hidden):
            n = counts[q["code"]][option]
            rows.append({"label": option, "count": n,
                         "display": shown(n, EQUALITY_ANSWERS, small),
                         "percent": None if small or base < EQUALITY_ANSWERS.threshold else percent(n, base)})
        summary.append({"code": q["code"], "label": q["label"], "text": q["text"], "rows": rows,
                        "base_display": f"{base:,}" if base >= EQUALITY_ANSWERS.threshold or base == 0 else EQUALITY_ANSWERS.marker})
    return summary
