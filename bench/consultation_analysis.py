"""Benchmark: 100,000 generated responses to the Coventry template, then the whole analysis.

Prints the time to store the responses and the time for the whole analysis the staff page and
the report use: results per question with Wilson intervals, every cross-tabulation of the area
and channel by each question, responses per day, the Census profile and the equality summary;
the number of queries it makes; and its ratio to a baseline measured in the same run: one raw
`SELECT question_id, option_id, COUNT(*) ... GROUP BY question_id, option_id` over the same
answers table, the least any count of the answers costs. Target: under 1 s at 100,000 responses.

After storing, the tables' statistics are refreshed (ANALYZE; VACUUM ANALYZE on PostgreSQL), as
autovacuum does after a bulk load, so that the planner knows the tables' sizes.

    .venv/bin/python bench/consultation_analysis.py [--responses 100000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from consultation_common import fresh_database, setup


def generate(survey, n: int, seed: int = 2024):
    from django.utils import timezone

    from saferplan.consultation import equality, services
    from saferplan.consultation.models import Channel, EqualityResponse, Response

    rng = random.Random(seed)
    questions = list(survey.ordered_questions())
    opens = timezone.make_aware(timezone.datetime.combine(survey.opens_on, timezone.datetime.min.time()))
    channels = [Channel.ONLINE] * 8 + [Channel.PAPER, Channel.KIOSK]
    phrases = ["speeding cars", "drug dealing in the park", "litter and fly tipping", "antisocial youths",
               "burglaries on our street", "no police presence", "street drinking", "parking on pavements"]
    submissions = []
    for i in range(n):
        answers = {}
        for q in questions:
            if rng.random() < 0.1:
                continue
            options = list(q.options.all())
            if q.type == "text":
                answers[q.code] = {"text": " and ".join(rng.sample(phrases, 2))}
            elif q.type == "multiple":
                k = rng.randint(1, q.max_choices or 4)
                chosen = rng.sample(options, k)
                answers[q.code] = {"options": [o.pk for o in chosen],
                                   "other": "other idea" if any(o.is_other for o in chosen) else ""}
            else:
                answers[q.code] = {"options": [rng.choice(options).pk]}
        when = opens + timedelta(minutes=rng.randint(0, 60 * 24 * 7 * 12 - 1))
        submissions.append(services.Submission(answers=answers, channel=rng.choice(channels), submitted_at=when))
    start = time.perf_counter()
    services.record_many(survey, submissions)
    ids = list(Response.objects.filter(survey=survey).values_list("pk", flat=True))
    ages = equality.BY_CODE["age"]["options"]
    EqualityResponse.objects.bulk_create(
        [EqualityResponse(survey=survey, response_id=rid, answers={"age": rng.choice(ages), "sex": rng.choice(["Female", "Male"])})
         for rid in ids if rng.random() < 0.6], batch_size=5000)
    return time.perf_counter() - start


def whole_analysis(survey, parts: dict | None = None):
    """The whole analysis; with ``parts``, each part's wall and CPU seconds are added to it."""
    from saferplan.consultation import analysis

    def timed(name, call, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        call(*args)
        if parts is not None:
            w, c = parts.get(name, (0.0, 0.0))
            parts[name] = (w + time.perf_counter() - wall, c + time.process_time() - cpu)

    timed("results per question", analysis.analyse, survey)
    for key, _ in analysis.crosstab_dimensions(survey):
        if key.startswith("q:"):
            timed("each question by area", analysis.crosstab, survey, key, "area")
    timed("q5 by channel", analysis.crosstab, survey, "q:q5", "channel")
    timed("q5 by age", analysis.crosstab, survey, "q:q5", "eq:age")
    timed("responses per day", analysis.by_day, survey)
    timed("Census profile", analysis.census_profile, survey)
    timed("equality summary", analysis.equality_summary, survey)


def refresh_statistics() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def baseline() -> None:
    from django.db import connection

    from saferplan.consultation.models import Answer

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT question_id, option_id, COUNT(*) FROM {Answer._meta.db_table}"
                       " GROUP BY question_id, option_id")
        cursor.fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; the benchmark makes and drops its own database")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also print the N slowest queries")
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    try:
        survey = setup(url)
        stored = generate(survey, args.responses)
        from saferplan.consultation.models import Answer

        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        answers = Answer.objects.filter(response__survey=survey).count()
        refresh_statistics()
        whole_analysis(survey)  # once untimed: imports (scipy), the Census file read and cached
        times, cpu_times, base_times = [], [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            baseline()
            base_times.append(time.perf_counter() - start)
            start, cpu = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as queries:
                whole_analysis(survey)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu)
        parts: dict = {}
        with CaptureQueriesContext(connection) as profiled:
            whole_analysis(survey, parts)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        print(f"database: {engine}")
        print(f"responses: {args.responses:,} ({answers:,} answer rows), stored in {stored:.1f} s")
        print(f"whole analysis: best {min(times):.2f} s, worst {max(times):.2f} s over {args.repeat} runs, "
              f"{len(queries.captured_queries)} queries")
        print(f"baseline (one raw GROUP BY question, option over the answers): best {min(base_times):.2f} s")
        print(f"whole analysis / baseline: {min(times) / min(base_times):.1f}")
        print(f"CPU of this process (Python, and SQLite's own work) in the whole analysis: best {min(cpu_times):.2f} s")
        print("one more run, by part (wall s, CPU s of this process):")
        for name, (wall, cpu) in parts.items():
            print(f"  {name:<24} {wall:7.3f} {cpu:7.3f}")
        if args.profile:
            print(f"the {args.profile} slowest queries of that run (s):")
            for q in sorted(profiled.captured_queries, key=lambda q: -float(q["time"]))[:args.profile]:
                print(f"  {float(q['time']):.3f}  {q['sql'][:300]}")
        import os

        print("load average: " + " ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs")
    finally:
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
