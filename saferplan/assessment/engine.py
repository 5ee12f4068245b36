"""The strategic assessment: every analysis for one area and period, gathered in one object."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import analysis
from .analysis import ALPHA, SIGNIFICANCE_METHOD, SIGNIFICANCE_TEST
from .findings import plural
from .harm import harm_view, harm_weights
from .hotspots import gi_star
from saferplan.core.periods import Period
from .reference import boundaries_missing, ensure_ward_lookup, missing_message

def definitions(quality: dict, area_name: str, example_authority: str | None = None) -> dict:
    """What the data-quality figures count, in words, with the figures filled in. The example
    of an LSOA name is of the area's own authority, so that no partnership reads another's."""
    total = quality["input"]
    example = example_authority or area_name
    return {
        "total": ("Total: every police.uk record (crime and anti-social behaviour) placed in the "
                  "area in the period. A record is placed by the local authority of its 2021 LSOA "
                  "(a neighbourhood of about 1,500 residents), never by police force."),
        "unmatched_lsoa_records": (
            f"{plural(total['non_2021_lsoa'], 'record')} in the police files carry an older "
            "(2011) LSOA code rather than a 2021 one. Each is placed by the authority its LSOA "
            f"name names (for example '{example} 003B' is placed in {example}) where it names one: "
            f"{total['name_assigned_to_area']:,} of them were placed in {area_name}, and "
            f"{total['unmatched_unplaced']:,} named no authority and are in no area."),
        "no_location_records": (
            f"{plural(total['no_location'], 'record')} in the police files have no location "
            "(no LSOA and no map point): they belong to the force but to no area, so no "
            "partnership's figures include them."),
        "input": (
            "'The police files' means every record of the forces that serve the area, for every "
            "month held (on the command line: every file given)."),
    }


@dataclass
class Assessment:
    area: dict
    period: Period
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return self.data

    @property
    def findings(self) -> list[dict]:
        return self.data["findings"]


def assess(conn, lad_codes: list[str], period: Period, *, weights: dict[str, float] | None = None,
           forces: list[str] | None = None, publish: bool = False, with_hotspots: bool = True,
           repeat_limit: int = 10) -> Assessment:
    """Run the whole assessment for ``lad_codes`` over ``period`` against the previous period.

    ``weights`` overrides CCHI harm weights per category; ``forces`` scopes the data-quality
    counts (default: the forces with records in the area). ``publish`` only affects the wording
    of drafted findings; tables are suppressed when rendered.
    """
    from .findings import draft_findings
    from .partner import partner_summary

    lad_codes = list(dict.fromkeys(lad_codes))
    area = analysis.area_info(conn, lad_codes)
    previous = period.previous()
    cover = analysis.coverage(conn, lad_codes, period)
    share = analysis._current_share(cover)
    categories = analysis.category_changes(conn, lad_codes, period, cover)
    totals = analysis.totals(categories, share)
    # The area's forces are found once (coverage) and handed on, not looked up again.
    series = analysis.monthly_series(conn, lad_codes, period, forces=cover["forces"])
    missing_wards = ensure_ward_lookup(conn, lad_codes)
    months_with_data = cover["months_with_data"]
    lsoas = analysis.lsoa_rates(conn, lad_codes, period, months_with_data)
    wards = analysis.ward_rates(lsoas, months_with_data) if not missing_wards else []
    quality = analysis.data_quality(conn, lad_codes, period, cover["forces"] if forces is None else forces)
    hotspots = (gi_star(conn, lad_codes, {r["lsoa_code"]: r["crimes"] for r in lsoas}) if with_hotspots
                else {"available": False, "reason": "Hotspots were not requested.", "lsoas": []})
    harm = harm_view(categories, harm_weights(weights, conn=conn))
    population = area["population"]
    data = {
        "area": ",".join(lad_codes),
        "area_name": area["name"],
        "area_detail": area,
        "period": str(period),
        "previous_period": str(previous),
        "period_detail": period.to_dict(),
        "previous_period_detail": previous.to_dict(),
        "total": totals["all_records"]["count"],
        "total_previous": totals["all_records"]["previous_count"],
        "total_change_pct": totals["all_records"]["change_pct"],
        "total_significant": totals["all_records"]["significant"],
        "unmatched_lsoa_records": quality["input"]["non_2021_lsoa"],
        "unmatched_lsoa_assigned_to_area": quality["input"]["name_assigned_to_area"],
        "unmatched_lsoa_unplaced": quality["input"]["unmatched_unplaced"],
        "no_location_records": quality["input"]["no_location"],
        "definitions": definitions(quality, area["name"], (area["names"] or [None])[0]),
        "significance": {"test": SIGNIFICANCE_TEST, "alpha": ALPHA, "method": SIGNIFICANCE_METHOD},
        "categories": categories,
        "totals": totals,
        "asb": analysis.asb_summary(categories, lsoas, series, share),
        "monthly": series,
        "rates": {
            "population": population,
            "months": months_with_data,
            "crime_rate": analysis.annual_rate(totals["crime"]["count"], population, months_with_data),
            "asb_rate": analysis.annual_rate(totals["asb"]["count"], population, months_with_data),
            "method": analysis.rate_method(months_with_data, period.months),
        },
        "lsoas": lsoas,
        "wards": {
            "available": not missing_wards,
            "reason": (None if not missing_wards else
                       missing_message(conn, "ward" if boundaries_missing(conn, "ward", missing_wards) else "lsoa",
                                       missing_wards)
                       + " Until both LSOA and ward boundaries are loaded, LSOAs cannot be placed in wards."),
            "method": (
                "Each 2021 LSOA is placed in the 2025 ward holding the largest share of its area "
                "(a best fit); ward counts and populations are sums over whole LSOAs, so both "
                "share one footprint."),
            "rows": wards,
        },
        "concentration": analysis.concentration(lsoas),
        "hotspots": hotspots,
        "repeat_locations": analysis.repeat_locations(conn, lad_codes, period, repeat_limit),
        "outcomes": analysis.outcomes_by_category(conn, lad_codes, period),
        "harm": harm,
        "coverage": cover,
        "data_quality": quality,
        "partner": partner_summary(conn, lad_codes, period),
    }
    if publish:
        from .disclosure import publication

        data["findings"] = [f.to_dict() for f in draft_findings(publication(data), publish=True)]
    else:
        data["findings"] = [f.to_dict() for f in draft_findings(data)]
    return Assessment(area=area, period=period, data=data)
