"""Harm weighting of police.uk categories from the Cambridge Crime Harm Index (CCHI) 2020.

The CCHI gives a harm score (days of custody a first offender would receive at the sentencing
guideline's starting point) per Home Office offence. police.uk publishes only 14 broad
categories, so each category is mapped to the CCHI offence groups it covers and weighted by the
median score of those offences. The median, not the mean, because a few very grave offences
(murder: 5,475 days) would otherwise set the weight of a whole group dominated by common,
low-harm offences. The result is a rough weight per category, not a per-crime harm score; the
caller may pass edited weights, which are then reported as the analyst's.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from .analysis import ASB
from .reference import DATASETS, HARM, harm_offences

# police.uk category -> CCHI (GROUP, SUB_GROUP or None for the whole group).
CATEGORY_GROUPS: dict[str, list[tuple[str, str | None]]] = {
    "Violence and sexual offences": [("VIOLENCE AGAINST THE PERSON", None), ("SEXUAL OFFENCES", None)],
    "Robbery": [("ROBBERY", None)],
    "Burglary": [("BURGLARY", None)],
    "Vehicle crime": [("VEHICLE OFFENCES", None)],
    "Theft from the person": [("THEFT", "THEFT FROM THE PERSON")],
    "Shoplifting": [("THEFT", "SHOPLIFTING")],
    "Bicycle theft": [("THEFT", "BICYCLE THEFT")],
    "Other theft": [("THEFT", "OTHER THEFT")],
    "Criminal damage and arson": [("ARSON AND CRIMINAL DAMAGE", None)],
    "Drugs": [("DRUG OFFENCES", None)],
    "Possession of weapons": [("POSSESSION OF WEAPONS", None)],
    "Public order": [("PUBLIC ORDER OFFENCES", None)],
    "Other crime": [("MISCELLANEOUS CRIMES AGAINST SOCIETY", None), ("FRAUD AND FORGERY", None)],
}


@dataclass
class HarmWeights:
    weights: dict[str, float]  # police.uk category -> harm weight (custody days)
    method: str
    statistic: str = "median"
    edited: list[str] = field(default_factory=list)  # categories whose weight the caller set
    basis: dict[str, dict] = field(default_factory=dict)  # category -> offences used, min, max

    def to_dict(self) -> dict:
        return {"weights": self.weights, "method": self.method, "statistic": self.statistic,
                "edited": self.edited, "basis": self.basis}


def _default_weights(offences: list[dict], statistic: str) -> HarmWeights:
    summarise = statistics.median if statistic == "median" else statistics.fmean
    weights, basis = {}, {}
    by_group: dict[str, list[dict]] = {}
    for o in offences:
        by_group.setdefault(o["group"], []).append(o)
    for category, groups in CATEGORY_GROUPS.items():
        scores = [o["score"] for g, s in groups for o in by_group.get(g, [])
                  if s is None or o["sub_group"] == s]
        if not scores:
            continue
        weights[category] = round(summarise(scores), 1)
        basis[category] = {
            "cchi_groups": [g if s is None else f"{g} / {s}" for g, s in groups],
            "offences": len(scores), "min": min(scores), "max": max(scores),
        }
    if not offences:
        return HarmWeights(weights={}, statistic=statistic, method=(
            "The Cambridge Crime Harm Index is not loaded, so no category has a harm weight: the site "
            "operator loads it with 'saferplan reference load' (" + DATASETS[HARM]["where"] + ")."))
    method = (
        f"Harm weights come from the Cambridge Crime Harm Index 2020 ({len(offences)} Home Office "
        "offences, each scored in days of custody at the sentencing starting point). Each "
        "police.uk category is mapped to the CCHI offence groups it covers (e.g. 'Violence and "
        "sexual offences' to all Violence against the person and Sexual offences; 'Shoplifting' "
        f"to Theft / Shoplifting) and weighted by the {statistic} score of those offences, so a "
        "category's weight is that of a typical offence in it, not of its gravest. Anti-social "
        "behaviour is not a crime and has no weight. police.uk does not say which offence each "
        "record is, so harm is indicative: it ranks categories by likely seriousness, it does not "
        "measure it."
    )
    return HarmWeights(weights=weights, method=method, statistic=statistic, basis=basis)


def harm_weights(overrides: dict[str, float] | None = None, statistic: str = "median", *,
                 conn=None) -> HarmWeights:
    """Weights per category from the CCHI loaded in the store (``conn``; None: the web's
    snapshot of the shared reference data), with any caller-edited weights applied."""
    if conn is None:
        from .services import reading

        with reading(None) as c:
            offences = harm_offences(c)
    else:
        offences = harm_offences(conn)
    base = _default_weights(offences, statistic)
    if not overrides:
        return base
    weights = {**base.weights, **{k: float(v) for k, v in overrides.items()}}
    edited = sorted(k for k, v in overrides.items() if base.weights.get(k) != float(v))
    method = base.method
    if edited:
        method += " The analyst changed the weights of: " + ", ".join(
            f"{k} ({base.weights.get(k, 'none')} -> {weights[k]})" for k in edited) + "."
    return HarmWeights(weights=weights, method=method, statistic=statistic, edited=edited,
                       basis=base.basis)


def harm_view(categories: list[dict], weights: HarmWeights) -> dict:
    """Harm-weighted counts per category, current and previous, and each category's share."""
    rows = []
    for c in categories:
        if c["category"] == ASB:
            continue
        weight = weights.weights.get(c["category"])
        if weight is None:
            continue
        rows.append({
            "category": c["category"], "weight": weight, "count": c["count"],
            "previous_count": c["previous_count"],
            "harm": round(c["count"] * weight, 1), "previous_harm": round(c["previous_count"] * weight, 1),
            # One weight for both periods: harm changes as the count does (per month with data).
            "harm_change_pct": c.get("change_pct"),
        })
    total = sum(r["harm"] for r in rows)
    total_previous = sum(r["previous_harm"] for r in rows)
    count_total = sum(r["count"] for r in rows)
    for r in rows:
        r["harm_share_pct"] = round(r["harm"] / total * 100, 1) if total else None
        r["count_share_pct"] = round(r["count"] / count_total * 100, 1) if count_total else None
    rows.sort(key=lambda r: -r["harm"])
    unweighted = [c["category"] for c in categories
                  if c["category"] != ASB and c["category"] not in weights.weights]
    return {
        "rows": rows, "total_harm": round(total, 1), "total_previous_harm": round(total_previous, 1),
        "change_pct": round((total - total_previous) / total_previous * 100, 1) if total_previous else None,
        "unweighted_categories": unweighted, **weights.to_dict(),
    }
