"""Strategic-assessment analysis: plain functions over the DuckDB store.

Every function takes a connection scoped to one owner (``store.scope``: queries read the views
``police_seen`` and ``import_file_seen``, never the tables, so that a partnership's figures are
made of what it may read and nothing else), the partnership's local authority codes and a
:class:`~saferplan.core.periods.Period`, and returns JSON-serialisable data. A record
belongs to the area when its resolved ``lad_code`` (from its 2021 LSOA, or for an older LSOA
code from the authority its LSOA name names) is one of the area's authorities.
"""
from __future__ import annotations

import math
from datetime import date

from saferplan.core.periods import Period, add_months, month_label

ASB = "Anti-social behaviour"
ALPHA = 0.05
SIGNIFICANCE_TEST = "conditional test for comparing two Poisson counts"
SIGNIFICANCE_METHOD = (
    "Is a change more than chance? Each type of crime is compared with the same months a year "
    "earlier using the conditional test for comparing two Poisson counts (Przyborowski and "
    "Wilenski 1940; Krishnamoorthy and Thomson 2004). Given the total of the two periods, it "
    "asks how often a split at least this uneven would happen if the rate per month had not "
    "changed; when the two periods hold different numbers of months of data, the split expected "
    "follows the months. A change is called statistically significant when that chance is "
    "under {pct}% (p < {alpha}). With 14 types of crime tested at once, about one in twenty "
    "unchanged types will look significant by chance, so a significant change is a prompt to "
    "look closer, not proof."
).format(alpha=ALPHA, pct=round(ALPHA * 100))
IN_AREA = "lad_code in (select unnest($areas))"


def _rows(conn, sql: str, params: dict) -> list[dict]:
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _range(period: Period) -> dict:
    return {"start": period.start, "after": period.after_end}


def pct_change(current: float, previous: float) -> float | None:
    if not previous:
        return None
    return round((current - previous) / previous * 100, 1)


def binomial_p_value(k: int, n: int, p: float) -> float:
    """Two-sided p-value of the exact binomial test of ``k`` successes in ``n`` trials at ``p``,
    as scipy's ``binomtest(k, n, p).pvalue``: the probability of every outcome no more likely
    than ``k`` (with scipy's relative tolerance of 1e-7 for ties).

    Our own, in numpy, because importing scipy.stats costs about 0.75 s of CPU in each fresh
    web process, more than the whole assessment; tests compare it with scipy's.
    """
    import numpy as np

    if n == 0:
        return 1.0
    if p <= 0.0 or p >= 1.0:
        return 1.0 if k == n * p else 0.0
    if k == p * n:
        return 1.0
    # Only outcomes within 40 standard deviations of the mean (and k itself) carry probability a
    # double can hold; the rest are 0 to scipy as well. log C(n, x) from log-gamma at the window's
    # start, then by the running product (n - j + 1) / j: about 1e-12 relative precision.
    sd = math.sqrt(n * p * (1 - p))
    lo = max(0, min(k, math.floor(n * p - 40 * sd - 1)))
    hi = min(n, max(k, math.ceil(n * p + 40 * sd + 1)))
    x = np.arange(lo, hi + 1)
    start = math.lgamma(n + 1) - math.lgamma(lo + 1) - math.lgamma(n - lo + 1)
    log_choose = start + np.concatenate(([0.0], np.cumsum(np.log(n - x[1:] + 1) - np.log(x[1:]))))
    pmf = np.exp(log_choose + x * math.log(p) + (n - x) * math.log1p(-p))
    k -= lo
    return min(1.0, float(pmf[pmf <= pmf[k] * (1 + 1e-7)].sum()))


def compare_counts(current: int, previous: int, current_share: float = 0.5,
                   alpha: float = ALPHA) -> dict:
    """Change between two counts and whether it is statistically significant.

    ``current_share`` is the current period's share of the exposure (months covered); 0.5 for
    two equal periods. When the periods hold different numbers of months of data, the
    percentage change and the direction compare the average per month, so that a missing month
    does not read as a fall.
    """
    total = current + previous
    p_value = binomial_p_value(current, total, current_share)
    expected = total * current_share
    if current_share in (0.5, 0.0, 1.0):
        change_pct = pct_change(current, previous)
    else:
        change_pct = pct_change(current / current_share, previous / (1 - current_share))
    return {
        "count": current,
        "previous_count": previous,
        "change": current - previous,
        "change_pct": change_pct,
        "per_month_compared": current_share not in (0.5, 0.0, 1.0),
        "p_value": round(float(p_value), 6),
        "significant": bool(p_value < alpha),
        "direction": "rise" if current > expected else "fall" if current < expected else "same",
    }


def area_info(conn, lad_codes: list[str]) -> dict:
    row = conn.execute(
        """
        select list(distinct lad_name order by lad_name), count(*),
               (select sum(residents) from lsoa_population p
                 where p.lsoa_code in (select lsoa_code from lsoa where lad_code in (select unnest($areas))))
        from lsoa where lad_code in (select unnest($areas))
        """,
        {"areas": lad_codes},
    ).fetchone()
    names, lsoas, population = row
    return {
        "codes": list(lad_codes),
        "names": names or [],
        "name": " and ".join(names or lad_codes),
        "lsoa_count": lsoas,
        "population": int(population or 0),
    }


def area_forces(conn, lad_codes: list[str]) -> list[str]:
    return [r[0] for r in conn.execute(
        f"select distinct force from police_seen where {IN_AREA} order by 1", {"areas": lad_codes}
    ).fetchall()]


def months_covered(conn, forces: list[str], period: Period) -> list[date]:
    """Months in the period for which every force serving the area has a file."""
    if not forces:
        return []
    # import_file rather than police_record: a force-month file with no rows still counts.
    rows = conn.execute(
        """
        select cast(month || '-01' as date) as m from import_file_seen
        where force in (select unnest($forces)) and m >= $start and m < $after
        group by m having count(distinct force) = len($forces)
        order by m
        """,
        {"forces": forces, **_range(period)},
    ).fetchall()
    return [r[0] for r in rows]


def coverage(conn, lad_codes: list[str], period: Period) -> dict:
    forces = area_forces(conn, lad_codes)
    previous = period.previous()
    # One query for both periods and any months between them.
    held = months_covered(conn, forces, Period(previous.start, period.end))
    current_months = [m for m in held if period.start <= m <= period.end]
    previous_months = [m for m in held if previous.start <= m <= previous.end]
    missing = [month_label(m) for m in period.month_list() if m not in current_months]
    missing_previous = [month_label(m) for m in previous.month_list() if m not in previous_months]
    return {
        "forces": forces,
        "months_with_data": len(current_months),
        "previous_months_with_data": len(previous_months),
        "missing_months": missing,
        "missing_previous_months": missing_previous,
        "complete": not missing and not missing_previous,
    }


def _current_share(cover: dict) -> float:
    current, previous = cover["months_with_data"], cover["previous_months_with_data"]
    return current / (current + previous) if current + previous else 0.5


def category_changes(conn, lad_codes: list[str], period: Period, cover: dict | None = None) -> list[dict]:
    """Per police.uk category: count, previous count, change, % change and significance."""
    cover = cover or coverage(conn, lad_codes, period)
    previous = period.previous()
    rows = _rows(
        conn,
        f"""
        select category,
               count(*) filter (where month >= $start and month < $after) as current,
               count(*) filter (where month >= $prev_start and month < $prev_after) as previous
        from police_seen
        where {IN_AREA} and ((month >= $start and month < $after)
                             or (month >= $prev_start and month < $prev_after))
        group by category
        order by current desc, previous desc, category
        """,
        {"areas": lad_codes, "prev_start": previous.start, "prev_after": previous.after_end,
         **_range(period)},
    )
    share = _current_share(cover)
    return [
        {"category": r["category"], "is_asb": r["category"] == ASB,
         **compare_counts(r["current"], r["previous"], share)}
        for r in rows
    ]


def totals(categories: list[dict], share: float = 0.5) -> dict:
    """All records, crime only (without ASB), and ASB, with their changes."""
    def summed(rows):
        return compare_counts(sum(r["count"] for r in rows), sum(r["previous_count"] for r in rows), share)

    return {
        "all_records": summed(categories),
        "crime": summed([r for r in categories if not r["is_asb"]]),
        "asb": summed([r for r in categories if r["is_asb"]]),
    }


def monthly_series(conn, lad_codes: list[str], period: Period, months: int = 36,
                   forces: list[str] | None = None) -> dict:
    """Monthly counts by category for up to ``months`` months ending with the period.

    Months for which the store holds no file for a force serving the area are ``None``, not 0:
    a missing file is not a month without crime. ``forces`` defaults to the area's forces.
    """
    span = Period(add_months(period.end, -(min(months, 36) - 1)), period.end)
    forces = area_forces(conn, lad_codes) if forces is None else forces
    cover = set(months_covered(conn, forces, span))
    # Start at the first month with data (or the period's start), not at empty early months.
    first = min([m for m in cover if m <= period.start], default=period.start)
    span = Period(max(span.start, first), span.end)
    rows = conn.execute(
        f"""
        select month, category, count(*) from police_seen
        where {IN_AREA} and month >= $start and month < $after
        group by all
        """,
        {"areas": lad_codes, **_range(span)},
    ).fetchall()
    counts = {(m, c): n for m, c, n in rows}
    categories = sorted({c for _, c, _ in rows})
    series = []
    for month in span.month_list():
        known = month in cover or any((month, c) in counts for c in categories)
        by_category = {c: (counts.get((month, c), 0) if known else None) for c in categories}
        crime = sum(v for c, v in by_category.items() if c != ASB and v is not None) if known else None
        series.append({
            "month": month_label(month),
            "in_period": period.start <= month <= period.end,
            "crime": crime,
            "asb": by_category.get(ASB, 0) if known else None,
            "by_category": by_category,
        })
    return {"start": month_label(span.start), "end": month_label(span.end), "months": series,
            "categories": categories}


def data_quality(conn, lad_codes: list[str], period: Period, forces: list[str] | None = None) -> dict:
    """How the records behind the assessment were placed, and what could not be placed.

    ``forces`` defaults to the forces with any record in the area. Counts over "the input" cover
    every month those forces have in the store; the ``in_period`` counts cover the assessed
    and previous periods only. The forces' counts come from their files' counts, taken at import
    (``police_month_seen``), so that a national store is not rescanned force by force; only the
    counts of the area itself read records, and those lie together in the store.
    """
    forces = area_forces(conn, lad_codes) if forces is None else forces
    previous = period.previous()
    in_periods = ("((month >= $start and month < $after) "
                  "or (month >= $prev_start and month < $prev_after))")
    params = {"forces": forces, **_range(period), "prev_start": previous.start,
              "prev_after": previous.after_end}
    # Each count twice: over every month held ("input") and over the two periods ("in_period").
    files = _rows(conn, f"""
        with f as (
            select * replace (cast(month || '-01' as date) as month) from police_month_seen
            where force in (select unnest($forces))
        )
        select {", ".join(
            f"coalesce(sum({column}){where}, 0) as {prefix}{name}"
            for prefix, where in (("", ""), ("p_", f" filter (where {in_periods})"))
            for name, column in (("records", "rows"), ("no_location", "no_location"),
                                 ("no_coordinates", "no_coordinates"),
                                 ("non_2021_lsoa", "name_assigned + unmatched"),
                                 ("name_assigned", "name_assigned"),
                                 ("unmatched_unplaced", "unmatched")))}
        from f
        """, params)[0]
    area = _rows(conn, f"""
        select count(*) filter (where lsoa_status = 'name-assigned') as name_assigned_to_area,
               count(*) as area_records,
               count(*) filter (where lsoa_status = 'name-assigned' and {in_periods})
                   as p_name_assigned_to_area,
               count(*) filter (where {in_periods}) as p_area_records
        from police_seen
        where {IN_AREA} and force in (select unnest($forces))
        """, {**params, "areas": lad_codes})[0]
    found = {**files, **area}
    order = ["records", "no_location", "no_coordinates", "non_2021_lsoa", "name_assigned",
             "name_assigned_to_area", "unmatched_unplaced", "area_records"]
    everything = {key: int(found[key]) for key in order}
    in_period = {key: int(found["p_" + key]) for key in order}
    # Unmatched records have no authority, so they lie together at the end of each import.
    unplaced_names = _rows(
        conn,
        """
        select lsoa_code, lsoa_name, count(*) as records from police_seen
        where lsoa_status = 'unmatched' and force in (select unnest($forces))
        group by all order by records desc, lsoa_code limit 20
        """,
        {"forces": forces},
    )
    return {"forces": forces, "input": everything, "in_period": in_period,
            "unplaced_lsoa_names": unplaced_names}


def lsoa_rates(conn, lad_codes: list[str], period: Period, months: int | None = None) -> list[dict]:
    """Crime (without ASB) and ASB per LSOA with annualised rates per 1,000 residents (Census
    2021); ``months`` is how many of the period's months hold police data (default: all)."""
    months = period.months if months is None else months
    rows = _rows(
        conn,
        f"""
        with pop as (
            select lsoa_code, sum(residents) as population from lsoa_population
            where lsoa_code in (select lsoa_code from lsoa where {IN_AREA}) group by 1
        ),
        counts as (
            select lsoa_code,
                   count(*) filter (where category <> '{ASB}') as crimes,
                   count(*) filter (where category = '{ASB}') as asb
            from police_seen
            where {IN_AREA} and lsoa_status = '2021' and month >= $start and month < $after
            group by 1
        )
        select l.lsoa_code, l.lsoa_name, l.lad_code, w.ward_code, wd.ward_name,
               coalesce(pop.population, 0) as population,
               coalesce(c.crimes, 0) as crimes, coalesce(c.asb, 0) as asb
        from lsoa l
        left join counts c using (lsoa_code)
        left join pop using (lsoa_code)
        left join lsoa_ward w using (lsoa_code)
        left join ward wd using (ward_code)
        where l.lad_code in (select unnest($areas))
        order by crimes desc, l.lsoa_code
        """,
        {"areas": lad_codes, **_range(period)},
    )
    for r in rows:
        r["crime_rate"] = annual_rate(r["crimes"], r["population"], months)
        r["asb_rate"] = annual_rate(r["asb"], r["population"], months)
    return rows


def annual_rate(count: int, population: int, months: int) -> float | None:
    """Per 1,000 residents a year, from the ``months`` that hold data: a count from six months
    of data is doubled, whatever the length of the period asked for."""
    if not population or not months:
        return None
    return round(count / population * 1000 * 12 / months, 1)


def rate_method(months: int, period_months: int) -> str:
    """How the rates were worked out, in the words printed beside them."""
    scaled = "" if months == 12 else (
        f" The count from {months} month{'s' if months != 1 else ''} of police data is scaled "
        "to a year" + (f" (the period has {period_months} months, but only {months} hold "
                       "data)" if months != period_months else "") + ".")
    return (
        "Annualised rate per 1,000 residents: police.uk street-level records in the period, per "
        "1,000 usual residents (Census 2021), per year." + scaled + " Records placed only by an "
        "older LSOA's name count in the area's total but not in any LSOA or ward.")


def ward_rates(lsoa_rows: list[dict], months: int) -> list[dict]:
    """Ward totals built from whole LSOAs (see reference.ensure_ward_lookup)."""
    wards: dict[str, dict] = {}
    for r in lsoa_rows:
        if not r["ward_code"]:
            continue
        ward = wards.setdefault(r["ward_code"], {
            "ward_code": r["ward_code"], "ward_name": r["ward_name"], "lad_code": r["lad_code"],
            "lsoas": 0, "population": 0, "crimes": 0, "asb": 0})
        ward["lsoas"] += 1
        for key in ("population", "crimes", "asb"):
            ward[key] += r[key]
    result = sorted(wards.values(), key=lambda w: (-w["crimes"], w["ward_name"]))
    for w in result:
        w["crime_rate"] = annual_rate(w["crimes"], w["population"], months)
        w["asb_rate"] = annual_rate(w["asb"], w["population"], months)
    return result


def concentration(lsoa_rows: list[dict], share_of_lsoas: float = 0.1) -> dict:
    """Share of crime (without ASB) in the top 10% of the area's LSOAs, ranked by crime count."""
    ranked = sorted((r["crimes"] for r in lsoa_rows), reverse=True)
    total = sum(ranked)
    top_n = max(1, math.ceil(len(ranked) * share_of_lsoas)) if ranked else 0
    top = sum(ranked[:top_n])
    top_lsoas = sorted(lsoa_rows, key=lambda r: -r["crimes"])[:top_n]
    return {
        "lsoas": len(ranked),
        "top_lsoas": top_n,
        "top_share_of_lsoas_pct": round(share_of_lsoas * 100),
        "crimes": total,
        "crimes_in_top": top,
        "share_pct": round(top / total * 100, 1) if total else None,
        "top": [{"lsoa_code": r["lsoa_code"], "lsoa_name": r["lsoa_name"], "crimes": r["crimes"]}
                for r in top_lsoas],
        "method": (
            f"The area's {len(ranked)} LSOAs ranked by recorded crime (excluding anti-social "
            f"behaviour) in the period; the top {top_n} ({round(share_of_lsoas * 100)}%, rounded "
            "up) and their share of the area's crime placed in 2021 LSOAs."
        ),
    }


def repeat_locations(conn, lad_codes: list[str], period: Period, limit: int = 10) -> list[dict]:
    """Snap points with the most records. police.uk moves every record to the nearest of a set
    of anonymous map points, so a 'location' is a snap point, not an address."""
    return _rows(
        conn,
        f"""
        with r as (
            select location, lsoa_code, lsoa_name, category, outcome
            from police_seen
            where {IN_AREA} and location is not null and month >= $start and month < $after
        ),
        by_category as (
            select location, lsoa_code, category, count(*) as n from r group by all
        ),
        top_category as (
            select *, row_number() over (partition by location, lsoa_code order by n desc, category) as rank
            from by_category
        )
        select r.location, r.lsoa_code, any_value(r.lsoa_name) as lsoa_name, count(*) as records,
               count(*) filter (where r.category <> '{ASB}') as crimes,
               count(*) filter (where r.category = '{ASB}') as asb,
               any_value(t.category) as main_category, any_value(t.n) as main_category_records
        from r join top_category t using (location, lsoa_code)
        where t.rank = 1
        group by r.location, r.lsoa_code
        order by records desc, r.location
        limit $limit
        """,
        {"areas": lad_codes, "limit": limit, **_range(period)},
    )


def outcomes_by_category(conn, lad_codes: list[str], period: Period) -> dict:
    """Last recorded outcome per crime category (ASB has no outcome)."""
    rows = _rows(
        conn,
        f"""
        select category, coalesce(outcome, 'No outcome recorded') as outcome, count(*) as records
        from police_seen
        where {IN_AREA} and category <> '{ASB}' and month >= $start and month < $after
        group by all order by category, records desc
        """,
        {"areas": lad_codes, **_range(period)},
    )
    totals_by_category: dict[str, int] = {}
    for r in rows:
        totals_by_category[r["category"]] = totals_by_category.get(r["category"], 0) + r["records"]
    for r in rows:
        r["share_pct"] = round(r["records"] / totals_by_category[r["category"]] * 100, 1)
    overall: dict[str, int] = {}
    for r in rows:
        overall[r["outcome"]] = overall.get(r["outcome"], 0) + r["records"]
    return {
        "rows": rows,
        "overall": [{"outcome": o, "records": n} for o, n in sorted(overall.items(), key=lambda x: -x[1])],
        "note": (
            "police.uk publishes the latest outcome known when each monthly file was produced, "
            "so recent months show more crimes still under investigation or awaiting court."
        ),
    }


def asb_summary(categories: list[dict], lsoa_rows: list[dict], series: dict, share: float = 0.5) -> dict:
    """Anti-social behaviour, reported separately because it is not a crime count."""
    row = next((c for c in categories if c["is_asb"]), None)
    change = compare_counts(row["count"], row["previous_count"], share) if row else compare_counts(0, 0)
    top = sorted((r for r in lsoa_rows if r["asb"]), key=lambda r: -r["asb"])[:5]
    return {
        **change,
        "top_lsoas": [{"lsoa_code": r["lsoa_code"], "lsoa_name": r["lsoa_name"], "asb": r["asb"],
                       "asb_rate": r["asb_rate"]} for r in top],
        "monthly": [{"month": m["month"], "asb": m["asb"]} for m in series["months"]],
    }


def measure_by_month(conn, lad_codes: list[str], *, category: str = "", dataset: str = "",
                     measure: str = "") -> tuple[dict[date, float], set[date]]:
    """One measure of the area per month, and the months the store covers for it: a police.uk
    category (months with a file for every force serving the area, so that a missing file is
    never read as a month without crime), or a partner dataset's measure (months it has rows for).
    """
    if category:
        rows = conn.execute(
            f"select month, count(*) from police_seen where {IN_AREA} and category = $category group by month",
            {"areas": lad_codes, "category": category}).fetchall()
        forces = area_forces(conn, lad_codes)
        covered = {r[0] for r in conn.execute(
            """
            select cast(month || '-01' as date) from import_file_seen where force in (select unnest($forces))
            group by 1 having count(distinct force) = len($forces)
            """, {"forces": forces}).fetchall()} if forces else set()
    else:
        rows = conn.execute(
            f"select month, sum(value) from partner_seen where {IN_AREA} and dataset = $dataset "
            "and measure = $measure group by month",
            {"areas": lad_codes, "dataset": dataset, "measure": measure}).fetchall()
        covered = {r[0] for r in rows}
    return {_day(m): float(n) for m, n in rows}, {_day(m) for m in covered}


def _day(month) -> date:
    return month.date() if hasattr(month, "hour") else month  # a timestamp column gives datetimes
