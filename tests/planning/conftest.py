from __future__ import annotations

import pytest

from saferplan.assessment.selectors import AssessmentSummary
from saferplan.planning.testing import make_plan


@pytest.fixture
def plan(partnership):
    return make_plan(partnership)


# A strategic assessment as the engine returns it (``Assessment.to_dict()``), cut down to the keys
# the planning stage reads, as the assessment's read API gives it to planning. Made-up figures.
def fake_assessment(period="2024-01:2024-12"):
    return AssessmentSummary.from_assessment(_engine_dict(period), url=f"/assessment/?end={period[-7:]}")


def _engine_dict(period):
    def cat(name, count, previous, significant):
        change = round((count - previous) / previous * 100, 1) if previous else None
        return {"category": name, "is_asb": name == "Anti-social behaviour", "count": count,
                "previous_count": previous, "change": count - previous, "change_pct": change,
                "p_value": 0.01 if significant else 0.4, "significant": significant,
                "direction": "rise" if count > previous else "fall"}

    categories = [
        cat("Anti-social behaviour", 1200, 1000, True),
        cat("Violence and sexual offences", 1500, 1450, False),
        cat("Drugs", 150, 200, True),
        cat("Burglary", 200, 210, False),
        cat("Shoplifting", 300, 250, True),
        cat("Other theft", 100, 100, False),
    ]
    weights = {"Violence and sexual offences": 30.0, "Drugs": 20.0, "Burglary": 60.0, "Shoplifting": 2.0,
               "Other theft": 5.0}
    rows = [{"category": c["category"], "weight": weights[c["category"]], "count": c["count"],
             "previous_count": c["previous_count"], "harm": c["count"] * weights[c["category"]],
             "previous_harm": c["previous_count"] * weights[c["category"]]}
            for c in categories if c["category"] in weights]
    total = sum(r["harm"] for r in rows)
    for r in rows:
        r["harm_share_pct"] = round(r["harm"] / total * 100, 1)
    return {
        "period": period, "period_detail": {"months": 12, "label": "January to December 2024"},
        "categories": categories, "harm": {"rows": rows}, "rates": {"population": 51000},
        "partner": [{"dataset": "UAVA", "measure": "Domestic abuse referrals", "count": 210, "previous_count": 180,
                     "change_pct": 16.7, "significant": False}],
        "significance": {"test": "exact conditional Poisson test"},
        "findings": [],
    }
