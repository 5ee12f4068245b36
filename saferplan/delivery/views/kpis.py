"""KPIs against target: every KPI's RAG with the rule, and one KPI's chart with its data table.
Values are reported on planning's KPI page (one way to report a value)."""
from __future__ import annotations

import base64

from django.http import Http404

from .. import planning_reads as planning
from ..services import kpis
from .base import Page


class KPIs(Page):
    template_name = "delivery/kpis.html"
    nav = "kpis"

    def data(self):
        standings = kpis.standings(self.plan) if self.plan else []
        return {"standings": standings, "rule": kpis.RAG_RULE,
                "counts": {rag: sum(1 for s in standings if s.rag == rag) for rag in ("red", "amber", "green")},
                "unrated": sum(1 for s in standings if not s.rag)}


class KPIDetail(Page):
    template_name = "delivery/kpi.html"
    nav = "kpis"

    def data(self):
        kpi = planning.kpi_in(self.partnership, self.kwargs["pk"])
        if kpi is None:
            raise Http404("No such KPI")
        table = kpis.kpi_table(kpi)
        chart = None
        if table.rows:
            chart = kpis.kpi_chart(kpi)
            chart.src = "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode()
        return {"kpi": kpi, "standing": kpis.standing(kpi), "table": table, "chart": chart, "rule": kpis.RAG_RULE,
                "can_report": planning.can_report_kpi(self.access, kpi)}
