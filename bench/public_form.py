"""Benchmark: the server time of the public form's question page, against a bare Django view
returning a constant, in-process, through the whole middleware stack, in the same run.

Each is timed twice: wall time (what a resident waits, including the database's answers, and
everything else the machine is doing) and this process's CPU time (the web process's own work,
which other load on a shared machine barely changes). Target: a question page under 2 ms.

    .venv/bin/python bench/public_form.py [--requests 2000] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from consultation_common import fresh_database, setup


def timed(call, n: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


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
        times = {"bare": ([], []), "question": ([], []), "answer": ([], [])}
        no = next(o for o in q1.options.all() if o.label == "No")
        calls = {"bare": (lambda: client.get("/bench/constant/"), n // 10),
                 "question": (lambda: client.get(q2), n // 10),
                 "answer": (lambda: client.post(page, {"answer": str(no.pk)}), n // 20)}
        for _ in range(10):
            for name, (call, count) in calls.items():
                wall, cpu = timed(call, count)
                times[name][0].extend(wall)
                times[name][1].extend(cpu)
        engine = "PostgreSQL" if args.postgres else "SQLite"
        median = {name: (statistics.median(w) * 1000, statistics.median(c) * 1000) for name, (w, c) in times.items()}
        print(f"database: {engine}; Django test client, whole middleware stack, in-process; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print("median per request: wall time (CPU time of this process)")
        print(f"bare view returning a constant: {median['bare'][0]:.2f} ms ({median['bare'][1]:.2f} ms)")
        for name, what in (("question", "question page (GET)"), ("answer", "answering a question (POST, then redirect)")):
            print(f"{what}: {median[name][0]:.2f} ms ({median[name][1]:.2f} ms), "
                  f"{median[name][0] / median['bare'][0]:.1f} x the bare view ({median[name][1] / median['bare'][1]:.1f} x)")
    finally:
        drop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
