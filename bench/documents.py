"""Benchmark: serving the published plan's PDF as the worker stored it, against rendering it.

Both in one process, on the same plan: the render is what a web request cost before (about a
second of CPU); the serve is a whole request through Django (the public plan download: the plan
looked up, its inputs' version worked out, the stored bytes read and sent). Target: serve under
50 ms. The plan is the tests' small made-up plan (planning.testing.make_plan), adopted and published.

    .venv/bin/python bench/documents.py [--repeat 20] [--postgres URL]
"""
from __future__ import annotations

import argparse
import statistics
import time

from consultation_common import fresh_database, setup

TARGET_MS = 50


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (a database of the benchmark's own is made)")
    args = parser.parse_args()
    url, drop = fresh_database(args.postgres)
    try:
        setup(url)
        from django.test import Client
        from django.urls import reverse

        from saferplan.ops.models import StoredDocument
        from saferplan.partnership.testing import make_partnership
        from django.utils import timezone

        from saferplan.planning import documents
        from saferplan.planning.services import publish
        from saferplan.planning.testing import make_plan

        partnership = make_partnership(name="Bench Community Safety Partnership", slug="bench")
        plan = make_plan(partnership)
        # Adopted as a council adopts it, then published (the worker renders it: at once in the
        # test profile). The status is set directly: the approval route is not what is measured.
        type(plan).objects.filter(pk=plan.pk).update(status="adopted", adopted_at=timezone.now())
        plan.refresh_from_db()
        publish(plan)
        assert StoredDocument.objects.get(key=f"plan:{plan.pk}:pdf").status == "ready"
        client = Client()
        address = reverse("public-plan:plan-document", kwargs={"partnership": partnership.slug, "fmt": "pdf"})
        first = client.get(address)
        assert first.status_code == 200 and first.content.startswith(b"%PDF"), first.status_code

        renders = [timed(lambda: documents.plan_file(plan, "pdf")) for _ in range(max(3, args.repeat // 5))]
        serves = [timed(lambda: client.get(address)) for _ in range(args.repeat)]
        render_ms, serve_ms = statistics.median(renders) * 1000, statistics.median(serves) * 1000
        print(f"published plan PDF ({len(first.content):,} bytes), median of {len(renders)} renders and "
              f"{len(serves)} serves")
        print(f"  render in the request (before): {render_ms:8.1f} ms")
        p95 = statistics.quantiles(serves, n=20)[-1] * 1000 if len(serves) >= 20 else max(serves) * 1000
        print(f"  serve as stored (now):          {serve_ms:8.1f} ms   (p95 {p95:.1f} ms)")
        print(f"  ratio render / serve: {render_ms / serve_ms:.0f}x; target serve < {TARGET_MS} ms: "
              f"{'met' if serve_ms < TARGET_MS else 'NOT met'}")
        return 0 if serve_ms < TARGET_MS else 1
    finally:
        drop()


if __name__ == "__main__":
    raise SystemExit(main())
