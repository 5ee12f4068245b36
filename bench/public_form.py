"""Benchmark: the server time of the public form's question page, against a bare Django view
returning a constant, in-process, through the whole middleware stack, in the same run.

    .venv/bin/python bench/public_form.py [--requests 2000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import statistics
import time

from consultation_common import fresh_database, setup


def timed(call, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; the benchmark makes and drops its own database")
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions of the question page")
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    try:
        survey = setup(url)
        from django.test import Client
        from django.urls import reverse

        client = Client()
        questions = list(survey.ordered_questions())
        q1 = next(q for q in questions if q.code == "q1")
        page = reverse("public-consultation:question", kwargs={
            "partnership": survey.partnership.slug, "survey": survey.slug, "code": q1.code})
        # A resident part-way through: a session with an answer, then the next question page.
        client.get(survey.public_url())
        yes = next(o for o in q1.options.all() if o.label == "Yes")
        assert client.post(page, {"answer": str(yes.pk)}).status_code == 302
        q2 = reverse("public-consultation:question", kwargs={
            "partnership": survey.partnership.slug, "survey": survey.slug, "code": "q2"})
        assert client.get(q2).status_code == 200 and client.get("/bench/constant/").status_code == 200
        n = args.requests
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: [client.get(q2) for _ in range(200)])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        # Interleaved rounds, so that a slower moment of a shared machine weighs on both alike.
        bare, question, answer = [], [], []
        no = next(o for o in q1.options.all() if o.label == "No")
        for _ in range(10):
            bare += timed(lambda: client.get("/bench/constant/"), n // 10)
            question += timed(lambda: client.get(q2), n // 10)
            answer += timed(lambda: client.post(page, {"answer": str(no.pk)}), n // 20)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        bare_ms, question_ms, answer_ms = (statistics.median(t) * 1000 for t in (bare, question, answer))
        print(f"database: {engine}; Django test client, whole middleware stack, in-process")
        print(f"bare view returning a constant: median {bare_ms:.2f} ms")
        print(f"question page (GET): median {question_ms:.2f} ms, {question_ms / bare_ms:.1f} x the bare view")
        print(f"answering a question (POST, then redirect): median {answer_ms:.2f} ms, "
              f"{answer_ms / bare_ms:.1f} x the bare view")
    finally:
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
