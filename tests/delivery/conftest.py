from __future__ import annotations

import pytest


@pytest.fixture
def delivered(partnership):
    """An adopted 2022-25 plan with a round of returns, a funded stream and a risk (delivery.testing)."""
    from saferplan.delivery.testing import make_delivery

    return make_delivery(partnership)


@pytest.fixture
def melton(data_dir, monkeypatch):
    """The demo: Melton's real partnership fixture, its adopted plan and its example delivery year.

    The crime store is left out (the planning demo builds the plan without it), so bound KPIs
    have no values here; tests of bound KPIs load the real police files themselves."""
    from saferplan.delivery import demo as delivery_demo
    from saferplan.partnership.demo import load_demo
    from saferplan.planning import demo as planning_demo

    monkeypatch.setattr("saferplan.planning.evidence_sources.assessment_summary", lambda p: None)
    monkeypatch.setattr("saferplan.planning.services.refresh_kpi_values", lambda kpi, conn=None: 0)
    partnership = load_demo(data_dir).partnership
    planning_demo.load(partnership)
    delivery_demo.load(partnership)
    return partnership
