"""Draft findings: plain-English statements drafted from the assessment's numbers.

They are suggestions. The Django layer stores them for an analyst to edit, accept or reject;
nothing here decides what the partnership's findings are.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from saferplan.core.disclosure import CRIME_COUNTS, is_withheld

WITHHELD_WORDS = "a withheld number"  # a count withheld to protect a small one elsewhere
# Changes smaller than this are not worth a sentence unless significant.
NOTABLE_CHANGE_PCT = 20
NOTABLE_MIN_COUNT = 10


@dataclass
class Finding:
    kind: str  # overall | rise | fall | not_significant | stable | asb | concentration | hotspot | repeat_location | rate | harm | data_quality
    title: str
    text: str
    measure: str  # what the numbers measure, e.g. 'count', 'rate_per_1000', 'share_pct', 'gi_star'
    category: str | None = None
    numbers: dict = field(default_factory=dict)
    significant: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def count_text(n: int | None, publish: bool = False) -> str:
    if n is None:
        return "unknown"
    if publish and n < CRIME_COUNTS.threshold:
        return f"fewer than {CRIME_COUNTS.threshold}"
    return f"{n:,}"


def shown(row: dict, key: str, publish: bool = False) -> str:
    """``row[key]`` in words; for publication, what the tables hide is hidden here too (rows of
    :func:`saferplan.assessment.disclosure.publication` name their withheld counts)."""
    n = row.get(key)
    if publish and n is not None and is_withheld(row, key):
        return f"fewer than {CRIME_COUNTS.threshold}" if n < CRIME_COUNTS.threshold else WITHHELD_WORDS
    return count_text(n)


def counted(row: dict, key: str, word: str, publish: bool = False, words: str | None = None) -> str:
    """A count with its noun in agreement: '1 incident', '12 incidents', 'fewer than 5 incidents'."""
    text = shown(row, key, publish)
    if text == WITHHELD_WORDS:
        return f"{text} of {words or word + 's'}"
    return f"{text} {word if text == '1' else (words or word + 's')}"


def pct_text(pct: float | None) -> str:
    if pct is None:
        return "new"
    return f"{pct:+.0f}%" if abs(pct) >= 1 else f"{pct:+.1f}%"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 record', '2 records'."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"


def direction(c: dict) -> str:
    """rise | fall | same, from the same comparison the test made (per month with data when the
    two periods hold different numbers of months), so that the words cannot contradict it."""
    return c.get("direction") or ("rise" if c["change"] > 0 else "fall" if c["change"] < 0 else "same")


def _change_sentence(subject: str, c: dict, publish: bool) -> str:
    before, now = shown(c, "previous_count", publish), shown(c, "count", publish)
    suppressed = publish and (is_withheld(c, "count") or is_withheld(c, "previous_count"))
    pct = "" if suppressed or c["change_pct"] is None else f" ({pct_text(c['change_pct'])})"
    # With one count known, a p-value would give the other away.
    p_value = "" if suppressed else f" (p = {c['p_value']:.2f})"
    per_month = " (compared per month with police data)" if c.get("per_month_compared") else ""
    way = direction(c)
    if suppressed and way == "same":
        # "Unchanged" beside one published count would give the withheld one away.
        return f"{subject} was {now} against {before}; the change is not statistically significant."
    if way == "same":
        if c["count"] == c["previous_count"]:
            return f"{subject} was unchanged at {now}."
        return f"{subject} was {now} against {before}{per_month}: the same rate."
    verb = "rose" if way == "rise" else "fell"
    if c["significant"]:
        return (f"{subject} {verb} from {before} to {now}{pct}{per_month}, a statistically "
                f"significant {way}.")
    return (f"{subject} {verb} from {before} to {now}{pct}{per_month}; the change is not "
            f"statistically significant{p_value}, so it may be chance.")


def draft_findings(assessment: dict, publish: bool = False) -> list[Finding]:
    """Findings from an assessment (``Assessment.to_dict()``), most important first."""
    findings: list[Finding] = []
    area = assessment["area_detail"]["name"]
    period, previous = assessment["period_detail"]["label"], assessment["previous_period_detail"]["label"]
    crime = assessment["totals"]["crime"]
    findings.append(Finding(
        kind="overall", title=f"Recorded crime in {area}", measure="count", significant=crime["significant"],
        text=_change_sentence(f"Recorded crime in {area} (excluding anti-social behaviour)", crime, publish)
        + f" The period is {period}, compared with {previous}.",
        numbers=_numbers(crime)))

    for c in assessment["categories"]:
        if c["is_asb"]:
            continue
        if c["significant"] and direction(c) != "same":
            findings.append(Finding(
                kind=direction(c), category=c["category"], measure="count",
                title=f"{c['category']}: significant {direction(c)}",
                text=_change_sentence(c["category"], c, publish), numbers=_numbers(c), significant=True))
        elif (c["change_pct"] is not None and abs(c["change_pct"]) >= NOTABLE_CHANGE_PCT
              and max(c["count"], c["previous_count"]) >= NOTABLE_MIN_COUNT):
            findings.append(Finding(
                kind="not_significant", category=c["category"], measure="count", significant=False,
                title=f"{c['category']}: change not significant",
                text=_change_sentence(c["category"], c, publish), numbers=_numbers(c)))
    stable = [c["category"] for c in assessment["categories"]
              if not c["is_asb"] and not c["significant"]]
    if stable:
        findings.append(Finding(
            kind="stable", title="No significant change", measure="count", significant=False,
            text="No statistically significant change in: " + ", ".join(stable) + ".",
            numbers={"categories": stable}))

    asb = assessment["asb"]
    if asb["count"] or asb["previous_count"]:
        text = _change_sentence(f"Anti-social behaviour reported to the police in {area}", asb, publish)
        if asb["top_lsoas"]:
            top = asb["top_lsoas"][0]
            text += f" The most was in {top['lsoa_name']} ({counted(top, 'asb', 'incident', publish)})."
        findings.append(Finding(kind="asb", title="Anti-social behaviour", category="Anti-social behaviour",
                                measure="count", text=text, numbers=_numbers(asb),
                                significant=asb["significant"]))

    conc = assessment["concentration"]
    if conc["crimes"]:
        names = ", ".join(t["lsoa_name"] for t in conc["top"])
        findings.append(Finding(
            kind="concentration", title="Crime is concentrated", measure="share_pct",
            text=(f"The {plural(conc['top_lsoas'], 'LSOA')} with most crime "
                  f"({conc['top_share_of_lsoas_pct']}% of {area}'s {conc['lsoas']}) recorded "
                  f"{conc['share_pct']:.0f}% of its crime: {names}."),
            numbers={"top_lsoas": conc["top_lsoas"], "lsoas": conc["lsoas"], "share_pct": conc["share_pct"],
                     "crimes_in_top": conc["crimes_in_top"], "crimes": conc["crimes"]}))

    hot = assessment["hotspots"]
    if not hot["available"]:
        findings.append(Finding(kind="hotspot", title="Hotspots unavailable", measure="gi_star",
                                text=hot["reason"], numbers={}))
    elif hot["hotspots"]:
        names = ", ".join(h["lsoa_name"] for h in hot["hotspots"])
        n = len(hot["hotspots"])
        findings.append(Finding(
            kind="hotspot", title="Crime hotspots", measure="gi_star",
            text=(f"{plural(n, 'LSOA')} {'is a' if n == 1 else 'are'} crime "
                  f"hotspot{'s' if n != 1 else ''}: with {'its' if n == 1 else 'their'} "
                  "neighbours, more crime was recorded than chance would give (Getis-Ord Gi*, "
                  f"p < {hot['alpha']}): {names}."),
            numbers={"hotspots": [{k: h[k] for k in ("lsoa_code", "lsoa_name", "z", "p_sim")}
                                  for h in hot["hotspots"]]}))
    else:
        findings.append(Finding(kind="hotspot", title="No hotspots", measure="gi_star",
                                text="No LSOA is a crime hotspot: nowhere does an LSOA with its "
                                     "neighbours have more crime than chance would give (Getis-Ord "
                                     f"Gi*, p < {hot['alpha']}).", numbers={}))

    if assessment["repeat_locations"]:
        top = assessment["repeat_locations"][0]
        findings.append(Finding(
            kind="repeat_location", title="Most frequent location", category=top["main_category"],
            measure="count",
            text=(f"The location with most records was '{top['location']}' in {top['lsoa_name']}: "
                  f"{counted(top, 'records', 'record', publish)} "
                  f"({counted(top, 'crimes', 'crime', publish)} and "
                  f"{counted(top, 'asb', 'anti-social behaviour incident', publish)}), most often "
                  f"{top['main_category']}. police.uk locations "
                  "are anonymised snap points, so this is an area around a point, not an address."),
            numbers={k: top[k] for k in ("location", "lsoa_code", "records", "crimes", "asb")}))

    wards = assessment["wards"]
    if wards["available"] and wards["rows"]:
        rated = [w for w in wards["rows"] if w["crime_rate"] is not None
                 and not (publish and is_withheld(w, "crimes"))]
        if rated:
            top = max(rated, key=lambda w: w["crime_rate"])
            overall = assessment["rates"]["crime_rate"]
            findings.append(Finding(
                kind="rate", title="Highest ward crime rate", measure="rate_per_1000",
                text=(f"{top['ward_name']} had the highest crime rate: {top['crime_rate']:.1f} crimes "
                      f"per 1,000 residents a year, against {overall:.1f} for {area} as a whole "
                      "(annualised rate per 1,000 residents, Census 2021)."),
                numbers={"ward_code": top["ward_code"], "crime_rate": top["crime_rate"],
                         "area_crime_rate": overall}))

    harm = assessment["harm"]
    if harm["rows"] and not (publish and is_withheld(harm["rows"][0], "count")):
        top = harm["rows"][0]
        findings.append(Finding(
            kind="harm", title="Most harmful category", category=top["category"], measure="harm_share_pct",
            text=(f"Weighted by harm (Cambridge Crime Harm Index), {top['category']} accounts for "
                  f"{top['harm_share_pct']:.0f}% of harm but {top['count_share_pct']:.0f}% of recorded crime."),
            numbers={k: top[k] for k in ("weight", "harm_share_pct", "count_share_pct")}))

    quality = assessment["data_quality"]
    cover = assessment["coverage"]
    notes = []
    if not cover["complete"]:
        notes.append("months without police data: "
                     + ", ".join(cover["missing_months"] + cover["missing_previous_months"]))
    assigned = quality["in_period"]["name_assigned_to_area"]
    if assigned:
        notes.append(f"{plural(assigned, 'record')} with older (non-2021) LSOA codes "
                     f"{'was' if assigned == 1 else 'were'} placed in {area} by their LSOA name")
    if notes:
        findings.append(Finding(kind="data_quality", title="Data caveats", measure="count",
                                text="Note: " + "; ".join(notes) + ".", numbers={"notes": notes}))
    return findings


def finding_key(f: dict) -> str:
    """What a finding is about, kept across drafts: its category for a change, else its kind."""
    if f["kind"] in ("rise", "fall", "not_significant"):
        return f"category:{f['category']}"
    return f["kind"]


def _numbers(c: dict) -> dict:
    return {k: c[k] for k in ("count", "previous_count", "change", "change_pct", "p_value", "significant")}
