"""Hotspots: Getis-Ord Gi* over LSOA Queen-contiguity neighbours (PySAL esda)."""
from __future__ import annotations

import warnings

from .reference import lsoa_boundaries

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


_NEIGHBOURS: dict = {}


def _neighbours(key: tuple, frames: list):
    """The area's LSOAs (sorted by code) and their Queen-contiguity weights.

    Worked out once per process for each set of authorities and boundary frames: the weights
    depend on the boundaries alone, and building them is most of a warm assessment's hotspot
    time. The frames are the reference module's cached reads, so the same objects mean the same
    boundaries; new boundary files are new frames and are worked out again.
    """
    cached = _NEIGHBOURS.get(key)
    if cached is not None and len(cached[0]) == len(frames) and all(
            a is b for a, b in zip(cached[0], frames)):
        return cached[1], cached[2]
    import geopandas
    import pandas as pd
    from libpysal.weights import Queen

    areas = geopandas.GeoDataFrame(pd.concat([f[["LSOA21CD", "LSOA21NM", "geometry"]] for f in frames],
                                             ignore_index=True)).sort_values("LSOA21CD")
    areas = areas.reset_index(drop=True)
    with warnings.catch_warnings():
        # libpysal warns about islands; they are reported with the results.
        warnings.simplefilter("ignore")
        weights = Queen.from_dataframe(areas, ids=areas["LSOA21CD"].tolist(), use_index=False)
    _NEIGHBOURS[key] = (list(frames), areas, weights)
    return areas, weights


def gi_star(lad_codes: list[str], counts: dict[str, int]) -> dict:
    """Gi* per LSOA of the area; ``counts`` maps every LSOA code to its crime count.

    Returns ``available: False`` with a reason, rather than raising, when an authority has no
    boundary file: the rest of the assessment does not depend on hotspots.
    """
    frames, missing = [], []
    for lad_code in lad_codes:
        frame = lsoa_boundaries(lad_code)
        if frame is None:
            missing.append(lad_code)
        else:
            frames.append(frame)
    if missing:
        return {
            "available": False,
            "reason": (
                f"No LSOA boundary file for {', '.join(missing)} in the reference data "
                "(geography/boundaries/lsoa21-<authority>.geojson), so neighbours cannot be "
                "worked out and hotspots are unavailable. Everything else in the assessment "
                "does not need boundaries."
            ),
            "method": METHOD,
            "lsoas": [],
        }
    import numpy as np

    areas, weights = _neighbours(tuple(lad_codes), frames)
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
