"""Bounded load test of the production stack: the public form against a bare view, 1 and 2 web processes.

For each number of web processes (1, then 2) it starts `make serve`'s web server as `make serve`
does (gunicorn with scripts/gunicorn.conf.py, the production settings profile, PostgreSQL, static
files collected with their manifest, persistent database connections, the submission rate limit
on) on 127.0.0.1 with a database of its own, and then, in the same run:
1. the baseline: N clients request a bare Django view returning a constant (bench/bench_urls.py,
   named only by the bench settings, never by production URLs) for S seconds;
2. the public form: N simulated residents (each a browser session: every question page, check
   your answers, send, skip equality, confirmation) for S seconds, each from its own address
   (X-Forwarded-For through one trusted proxy, as behind a load balancer).
Prints requests per second of each and their ratio (target: the form at least half the bare
view), p95 latencies (target under 250 ms), the acknowledged responses (a confirmation page with a
reference) missing from the database (must be 0), and whether 2 web processes served more than 1.
On Linux it also prints the CPU time a request of each phase cost the web processes, PostgreSQL
and this client, which share the machine.

With --ceilings, two more phases on the same stack show what the ratio could be at best
(bench/ceiling_wsgi.py): the journey's requests with none of the form's own work, and with only
the shared state (the survey and the resident's session read from PostgreSQL on every page,
written on every answer).

    .venv/bin/python bench/consultation_load.py --postgres URL [--seconds 20] [--concurrency 8]
        [--web-processes 1 2] [--ceilings]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from consultation_common import ROOT, fresh_database, setup

TARGET_RATIO, TARGET_P95 = 0.5, 0.250

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
        # One address per resident, as a load balancer would pass it on: the per-address limit on
        # sending stays on, as in production, without every resident sharing 127.0.0.1.
        self.session.headers["X-Forwarded-For"] = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        self.requests = 0

    def post(self, path, data, token):
        response = self.session.post(self.base + path, data={**data, "csrfmiddlewaretoken": token},
                                     headers={"Referer": self.base + path}, allow_redirects=True, timeout=30)
        self.requests += 1 + len(response.history)  # the POST and the page it redirects to
        return response

    def respond(self, request_times):
        first = self.session.get(self.base + self.path + f"questions/{self.questions[0]['code']}/", timeout=30)
        self.requests += 1
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


def start_server(port: int, processes: int, database_url: str, var_dir: str, app: str = "saferplan.wsgi",
                 **extra_env) -> subprocess.Popen:
    """gunicorn with `make serve`'s configuration and environment (scripts/serve.sh)."""
    env = {**os.environ, **extra_env, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}",
           "SAFERPLAN_ENV": "production", "DJANGO_SETTINGS_MODULE": "serve_settings",
           "DATABASE_URL": database_url, "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "SAFERPLAN_ALLOW_HTTP": "1", "SAFERPLAN_TRUSTED_PROXIES": "1", "SAFERPLAN_VAR_DIR": var_dir,
           "SAFERPLAN_BIND": f"127.0.0.1:{port}", "SAFERPLAN_WEB_PROCESSES": str(processes)}
    env.pop("BENCH_DATABASE_URL", None)
    if not (Path(var_dir) / "static" / "staticfiles.json").exists():
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "--verbosity", "0"],
                       env=env, cwd=ROOT, check=True)
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(ROOT / "scripts" / "gunicorn.conf.py"), app]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_up(base: str) -> None:
    for _ in range(300):
        try:
            if requests.get(base + "/bench/constant/", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit("the web server did not start")


def cpu_seconds() -> dict | None:
    """CPU seconds used so far by the web processes, PostgreSQL's processes and this client (Linux)."""
    if not Path("/proc/self/stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    used = {"web": 0.0, "postgres": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kind = "web" if "gunicorn" in command else "postgres" if command.startswith("postgres") else None
        if kind:
            # With the CPU of children already reaped: a web process recycled after max_requests
            # (gunicorn's master) or a PostgreSQL backend that has ended (the postmaster).
            used[kind] += sum(int(value) for value in fields[11:15]) / ticks
    me = os.times()
    used["client"] = me.user + me.system
    return used


def measured(load, *args) -> dict:
    """Runs one phase and adds the CPU milliseconds a request cost each kind of process."""
    before = cpu_seconds()
    result = load(*args)
    after = cpu_seconds()
    served = result["requests"]
    result["cpu_ms"] = ({kind: (after[kind] - before[kind]) * 1000 / served for kind in after}
                        if before and after and served else None)
    return result


def cpu_line(result: dict) -> str:
    cpu = result.get("cpu_ms")
    return (f"; CPU a request: web {cpu['web']:.2f} ms, PostgreSQL {cpu['postgres']:.2f} ms, client {cpu['client']:.2f} ms"
            if cpu else "")


def bare_load(base: str, seconds: float, concurrency: int) -> dict:
    times, failures = [], []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        session = requests.Session()
        mine = []
        while time.perf_counter() < deadline:
            t = time.perf_counter()
            try:
                session.get(base + "/bench/constant/", timeout=30).raise_for_status()
            except requests.RequestException as exc:
                failures.append(repr(exc)[:200])
                continue
            mine.append(time.perf_counter() - t)
        with lock:
            times.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"rate": len(times) / elapsed, "requests": len(times), "p95": p95(times), "failures": len(failures)}


def form_load(base: str, survey, questions, seconds: float, concurrency: int, seed: int) -> dict:
    acknowledged, failures, request_times, submit_times = [], [], [], []
    requests_made = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n):
        rng = random.Random(seed * 1000 + n)
        while time.perf_counter() < deadline:
            resident = Resident(base, survey.public_url(), questions, rng)
            mine: list[float] = []
            try:
                reference, submit = resident.respond(mine)
            except Exception as exc:  # noqa: BLE001 - a failure is counted, not fatal
                with lock:
                    failures.append(repr(exc)[:200])
                    requests_made[0] += resident.requests
                continue
            with lock:
                requests_made[0] += resident.requests
                request_times.extend(mine)
                submit_times.append(submit)
                if reference:
                    acknowledged.append(reference)
                else:
                    failures.append("no reference on the confirmation page")

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"rate": requests_made[0] / elapsed, "requests": requests_made[0], "responses": len(acknowledged), "responses_rate": len(acknowledged) / elapsed,
            "p95": p95(request_times), "p95_submit": p95(submit_times), "failures": failures,
            "acknowledged": acknowledged}


def warm(base: str, survey, questions, processes: int) -> None:
    """Every process warm (imports, templates, the survey's definition) before timing."""
    wait_until_up(base)
    for _ in range(4 * processes):
        requests.get(base + survey.public_url() + f"questions/{questions[0]['code']}/", timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--postgres", required=True,
                        help="a PostgreSQL server URL (the production stack's database); the benchmark makes and drops its own database")
    parser.add_argument("--web-processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--ceilings", action="store_true",
                        help="also serve the journey without the form's work, and with only its shared state")
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    server = None
    try:
        survey = setup(url)
        questions = [{"code": q.code, "type": q.type, "max": q.max_choices,
                      "options": [(o.pk, o.label) for o in q.options.all()]} for q in survey.ordered_questions()]
        var_dir = os.environ["SAFERPLAN_VAR_DIR"]
        runs = []
        for processes in args.web_processes:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = start_server(port, processes, url, var_dir)
            warm(base, survey, questions, processes)
            bare = measured(bare_load, base, args.seconds, args.concurrency)
            form = measured(form_load, base, survey, questions, args.seconds, args.concurrency, processes)
            server.terminate()
            server.wait(timeout=30)
            server = None
            ceilings = {}
            for ceiling in ("static", "state") if args.ceilings else ():
                server = start_server(port, processes, url, var_dir, "ceiling_wsgi", BENCH_CEILING=ceiling)
                warm(base, survey, questions, processes)
                ceilings[ceiling] = measured(form_load, base, survey, questions, args.seconds, args.concurrency, processes)
                server.terminate()
                server.wait(timeout=30)
                server = None
            runs.append((processes, bare, form, ceilings))
        from saferplan.consultation.models import Response

        stored = set(Response.objects.filter(survey=survey).values_list("reference", flat=True))
        print(f"database: PostgreSQL; server: gunicorn (scripts/gunicorn.conf.py), production settings, on 127.0.0.1; "
              f"{args.concurrency} concurrent clients, {args.seconds:.0f} s a phase; client and server share this machine "
              f"({os.cpu_count()} CPUs)")
        lost_total = 0
        for processes, bare, form, ceilings in runs:
            missing = [ref for ref in form["acknowledged"] if ref not in stored]
            lost_total += len(missing)
            ratio = form["rate"] / bare["rate"] if bare["rate"] else 0.0
            print(f"{processes} web process{'es' if processes > 1 else ''}:")
            print(f"  bare view returning a constant: {bare['rate']:.0f} requests/s, p95 {bare['p95'] * 1000:.0f} ms"
                  f"{', failures ' + str(bare['failures']) if bare['failures'] else ''}{cpu_line(bare)}")
            print(f"  public form: {form['rate']:.0f} requests/s ({form['responses_rate']:.1f} responses/s, "
                  f"{len(questions)} questions each), p95 {form['p95'] * 1000:.0f} ms a question, "
                  f"{form['p95_submit'] * 1000:.0f} ms sending{cpu_line(form)}")
            print(f"  form / bare view throughput: {ratio:.2f} (target {TARGET_RATIO}); p95 under "
                  f"{TARGET_P95 * 1000:.0f} ms: {'yes' if max(form['p95'], form['p95_submit']) < TARGET_P95 else 'NO'}")
            print(f"  failed journeys: {len(form['failures'])}" + (f" (first: {form['failures'][0]})" if form["failures"] else ""))
            print(f"  acknowledged responses: {form['responses']}, missing from the database: {len(missing)}")
            for ceiling, label in (("static", "the journey's requests without the form's work (no database, no rendering)"),
                                   ("state", "only the shared state (survey and session read each page, session written each answer)")):
                if ceiling in ceilings:
                    at_best = ceilings[ceiling]
                    print(f"  ceiling, {label}: {at_best['rate']:.0f} requests/s, "
                          f"{at_best['rate'] / bare['rate']:.2f} of the bare view{cpu_line(at_best)}")
        if len(runs) >= 2:
            one, two = runs[0][:3], runs[1][:3]
            print(f"{two[0]} web processes against {one[0]}: bare view x{two[1]['rate'] / one[1]['rate']:.2f}, "
                  f"public form x{two[2]['rate'] / one[2]['rate']:.2f}")
        return 1 if lost_total else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop()


if __name__ == "__main__":
    raise SystemExit(main())
