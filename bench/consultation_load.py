"""Bounded load test: residents answer the demo survey concurrently for 60 seconds.

Starts the production web server (gunicorn with scripts/gunicorn.conf.py, or Django's runserver
with --server runserver, to compare) on 127.0.0.1 with a database of its own, runs N simulated residents (each a
browser session: every question page, check your answers, send, skip equality, confirmation),
then counts the acknowledged responses (a confirmation page with a reference) that are missing
from the database, which must be 0. Prints responses per second and p95 latencies.

    .venv/bin/python bench/consultation_load.py [--seconds 60] [--concurrency 8] [--postgres URL]
        [--server gunicorn|runserver] [--web-processes 2]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from consultation_common import ROOT, fresh_database, setup

REFERENCE = re.compile(r'<strong id="reference">([A-Z0-9-]+)</strong>')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p95(values):
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else (max(values) if values else 0.0)


class Resident:
    def __init__(self, base, survey_path, questions, rng):
        self.base, self.path, self.questions, self.rng = base, survey_path, questions, rng
        self.session = requests.Session()

    def post(self, path, data, token):
        return self.session.post(self.base + path, data={**data, "csrfmiddlewaretoken": token},
                                 headers={"Referer": self.base + path}, allow_redirects=True, timeout=30)

    def respond(self, request_times):
        first = self.session.get(self.base + self.path + f"questions/{self.questions[0]['code']}/", timeout=30)
        token = CSRF.search(first.text).group(1)
        for q in self.questions:
            data = {}
            if q["type"] == "text":
                data["answer"] = self.rng.choice(["Speeding", "Drugs in the park", ""])
            elif q["options"]:
                if q["type"] == "multiple":
                    chosen = self.rng.sample([o for o in q["options"] if o[1] != "Other"], self.rng.randint(1, q["max"] or 3))
                    data["answer"] = [str(pk) for pk, _ in chosen]
                else:
                    data["answer"] = str(self.rng.choice(q["options"])[0])
            t = time.perf_counter()
            r = self.post(self.path + f"questions/{q['code']}/", data, token)
            request_times.append(time.perf_counter() - t)
            r.raise_for_status()
        t = time.perf_counter()
        sent = self.post(self.path + "check-your-answers/", {"website": ""}, token)
        submit_time = time.perf_counter() - t
        sent.raise_for_status()
        done = self.post(self.path + "equality/", {"answer": "no"}, token)
        match = REFERENCE.search(done.text)
        return (match.group(1) if match else None), submit_time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; the benchmark makes and drops its own database")
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--web-processes", type=int, default=2, help="gunicorn web processes")
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    server = None
    try:
        survey = setup(url)
        questions = [{"code": q.code, "type": q.type, "max": q.max_choices,
                      "options": [(o.pk, o.label) for o in q.options.all()]} for q in survey.ordered_questions()]
        port = free_port()
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
               "SAFERPLAN_BIND": f"127.0.0.1:{port}", "SAFERPLAN_WEB_PROCESSES": str(args.web_processes)}
        if args.server == "gunicorn":
            command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "scripts" / "gunicorn.conf.py"),
                       "saferplan.wsgi"]
            described = f"gunicorn, {args.web_processes} web processes"
        else:
            command = [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"]
            described = "Django runserver (threaded)"
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                requests.get(base + survey.public_url(), timeout=10)
                break
            except requests.RequestException:
                time.sleep(0.2)
        acknowledged, failures, request_times, submit_times, journey_times = [], [], [], [], []
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def worker(n):
            rng = random.Random(n)
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                try:
                    reference, submit = Resident(base, survey.public_url(), questions, rng).respond(request_times)
                except Exception as exc:  # noqa: BLE001 - a failure is counted, not fatal
                    with lock:
                        failures.append(repr(exc)[:200])
                    continue
                with lock:
                    submit_times.append(submit)
                    journey_times.append(time.perf_counter() - t)
                    if reference:
                        acknowledged.append(reference)
                    else:
                        failures.append("no reference on the confirmation page")

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        from saferplan.consultation.models import Response

        stored = set(Response.objects.filter(survey=survey).values_list("reference", flat=True))
        missing = [ref for ref in acknowledged if ref not in stored]
        print(f"database: {'PostgreSQL' if args.postgres else 'SQLite'}; server: {described} on 127.0.0.1")
        print(f"{args.concurrency} concurrent residents for {elapsed:.0f} s, {len(questions)} questions each")
        print(f"acknowledged responses: {len(acknowledged)} ({len(acknowledged) / elapsed:.1f} responses per second)")
        print(f"p95 latency: sending a response {p95(submit_times) * 1000:.0f} ms, answering a question "
              f"{p95(request_times) * 1000:.0f} ms, a whole response {p95(journey_times):.1f} s")
        print(f"failed journeys: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""))
        print(f"responses in the database: {len(stored)}")
        print(f"acknowledged responses missing from the database: {len(missing)}")
        return 1 if missing else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        drop()


if __name__ == "__main__":
    raise SystemExit(main())
