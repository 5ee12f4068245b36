"""Hotspots: Getis-Ord Gi* over LSOA Queen-contiguity neighbours (PySAL esda)."""
from __future__ import annotations

import warnings

from .reference import boundary_features, boundaries_missing, missing_message

PERMUTATIONS = 999
SEED = 20240401  # fixed so that the same data always gives the same hotspots
ALPHA = 0.05
METHOD = (
    "Hotspots are found with the Getis-Ord Gi* statistic (Getis and Ord 1992; Ord and Getis "
    "1995). For each LSOA (a neighbourhood of about 1,500 residents, Census 2021) it compares "
    "the recorded crime (excluding anti-social behaviour) of the LSOA and the LSOAs that touch it "
    "with the area as a whole. Chance is judged by shuffling the other LSOAs' counts at random "
    "{perms} times: an LSOA is a hotspot when its neighbourhood has more crime than in all but "
    "{pct}% of the shuffles (p < {alpha}), and a coldspot when it has less. The shuffles are "
    "repeatable, so the same data always gives the same hotspots. Counts are not adjusted for "
    "population: a hotspot is where crime clusters, not where residents are most at risk (see "
    "the rates per 1,000 residents)."
).format(perms=f"{PERMUTATIONS:,}", alpha=ALPHA, pct=round(ALPHA * 100))


def gi_star(conn, lad_codes: list[str], counts: dict[str, int]) -> dict:
    """Gi* per LSOA of the area (every authority of a partnership together, so that LSOAs on a
    shared border are neighbours); ``counts`` maps every LSOA code to its crime count.

    Returns ``available: False`` with a reason, rather than raising, when an authority has no
    boundaries loaded: the rest of the assessment does not depend on hotspots.
    """
    missing = boundaries_missing(conn, "lsoa", lad_codes)
    if missing:
        return {
            "available": False,
            "reason": (missing_message(conn, "lsoa", missing) + " Without them the LSOAs' neighbours "
                       "cannot be worked out, so hotspots are unavailable; the rest of the assessment "
                       "does not need boundaries."),
            "method": METHOD,
            "lsoas": [],
        }
    import geopandas
    import numpy as np
    from libpysal.weights import Queen

    areas = geopandas.GeoDataFrame.from_features(boundary_features(conn, "lsoa", lad_codes),
                                                 crs=4326).sort_values("LSOA21CD")
    areas = areas.reset_index(drop=True)
    with warnings.catch_warnings():
        # libpysal warns about islands; they are reported with the results.
        warnings.simplefilter("ignore")
        weights = Queen.from_dataframe(areas, ids=areas["LSOA21CD"].tolist(), use_index=False)
    values = np.array([float(counts.get(code, 0)) for code in areas["LSOA21CD"]])
    if values.std() == 0:
        return {"available": False, "reason": "Every LSOA has the same count, so there is no "
                "clustering to test.", "method": METHOD, "lsoas": []}
    from esda.getisord import G_Local

    with warnings.catch_warnings():
        # esda warns about zero-variance data, reported above.
        warnings.simplefilter("ignore")
        # n_jobs=1: the permutations of a few hundred LSOAs take milliseconds in this process,
        # far less than starting a pool of worker processes (esda's default, n_jobs=-1), and the
        # permutations are drawn once from the seed either way, so the results are the same.
        gi = G_Local(values, weights, transform="B", star=True, permutations=PERMUTATIONS,
                     seed=SEED, n_jobs=1)
    lsoas = []
    for i, code in enumerate(areas["LSOA21CD"]):
        z, p = float(gi.Zs[i]), float(gi.p_sim[i])
        kind = "hotspot" if z > 0 and p < ALPHA else "coldspot" if z < 0 and p < ALPHA else "not significant"
        lsoas.append({
            "lsoa_code": code,
            "lsoa_name": areas["LSOA21NM"].iloc[i],
            "crimes": int(values[i]),
            "neighbours": int(weights.cardinalities[code]),
            "z": round(z, 3),
            "z_sim": round(float(gi.z_sim[i]), 3),
            "p_sim": round(p, 4),
            "p_norm": round(float(gi.p_norm[i]), 4),
            "classification": kind,
        })
    lsoas.sort(key=lambda r: -r["z"])
    return {
        "available": True,
        "method": METHOD,
        "alpha": ALPHA,
        "permutations": PERMUTATIONS,
        "seed": SEED,
        "islands": list(weights.islands),
        "hotspots": [r for r in lsoas if r["classification"] == "hotspot"],
        "coldspots": [r for r in lsoas if r["classification"] == "coldspot"],
        "lsoas": lsoas,
    }
