"""Hotspots: Getis-Ord Gi* over LSOA Queen-contiguity neighbours.

The statistic and its permutation inference are computed here in numpy, to the same figures as
PySAL's esda ``G_Local(y, w, transform="B", star=True, permutations=999, seed=SEED)`` over
libpysal's ``Queen`` weights (tests/assessment/test_hotspots.py compares them on Melton's real
data). Our own rather than esda's for cost alone, not correctness: importing esda, libpysal and
geopandas (which they pull in) takes about a second of CPU in a fresh web process, more than the
whole assessment, and esda's default starts a process pool for a few dozen LSOAs. The Queen
neighbours are worked out once, when the boundaries are loaded (``lsoa_neighbour``,
:func:`.reference.load.work_out_neighbours`), so an assessment reads them and does arithmetic.
"""
from __future__ import annotations

import math

from .reference import boundaries_missing, lsoa_neighbours, missing_message

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
    import numpy as np

    areas = lsoa_neighbours(conn, lad_codes)  # sorted by LSOA code, as esda's ids were
    codes = [a["lsoa_code"] for a in areas]
    position = {code: i for i, code in enumerate(codes)}
    neighbours = [[position[c] for c in a["neighbours"]] for a in areas]
    values = np.array([float(counts.get(code, 0)) for code in codes])
    if values.std() == 0:
        return {"available": False, "reason": "Every LSOA has the same count, so there is no "
                "clustering to test.", "method": METHOD, "lsoas": []}
    if not any(neighbours):
        return {"available": False, "reason": "No LSOA of the area touches another, so there is no "
                "neighbourhood to compare.", "method": METHOD, "lsoas": []}
    gi = getis_ord_star(values, neighbours, PERMUTATIONS, SEED)
    lsoas = []
    for i, area in enumerate(areas):
        island = not neighbours[i]
        z, p = float(gi["z"][i]), float(gi["p_sim"][i])
        kind = ("not significant" if island else "hotspot" if z > 0 and p < ALPHA
                else "coldspot" if z < 0 and p < ALPHA else "not significant")
        lsoas.append({
            "lsoa_code": area["lsoa_code"],
            "lsoa_name": area["lsoa_name"],
            "crimes": int(values[i]),
            "neighbours": len(neighbours[i]),
            "z": round(z, 3),
            "z_sim": round(float(gi["z_sim"][i]), 3),
            "p_sim": round(p, 4),
            "p_norm": round(float(gi["p_norm"][i]), 4),
            "classification": kind,
        })
    lsoas.sort(key=lambda r: -r["z"])
    return {
        "available": True,
        "method": METHOD,
        "alpha": ALPHA,
        "permutations": PERMUTATIONS,
        "seed": SEED,
        "islands": [code for code, nb in zip(codes, neighbours) if not nb],
        "hotspots": [r for r in lsoas if r["classification"] == "hotspot"],
        "coldspots": [r for r in lsoas if r["classification"] == "coldspot"],
        "lsoas": lsoas,
    }


def getis_ord_star(values, neighbours: list[list[int]], permutations: int, seed: int) -> dict:
    """Gi* with binary weights and each area its own neighbour, as esda's ``G_Local`` with
    ``transform="B", star=True, n_jobs=1``: the statistic ``Gs``, its z-score under normality
    ``z`` and ``p_norm``, and from conditional permutations ``p_sim`` (esda's default "directed"
    alternative: the smaller tail) and ``z_sim``.

    The steps and the order of the floating-point operations follow esda's, and the shuffles are
    drawn the same way from the same seed (legacy ``RandomState.choice`` without replacement,
    which is ``permutation(n - 1)[:max_card]``: one row of ids per permutation, shared by every
    area), so the figures are the same, not only close. An area with no neighbour (an island) is
    not tested: its ``p_sim`` is 1 (esda compares it with shuffles of nothing, which makes any
    island with crime "significant").
    """
    import numpy as np

    y = np.asarray(values, dtype=float)
    n = len(y)
    cardinality = np.array([len(nb) for nb in neighbours], dtype=float) + 1.0  # the area itself too
    lag = y + np.array([y[nb].sum() if nb else 0.0 for nb in neighbours])
    statistic = lag / y.sum()
    empirical_mean = y.sum() / n
    mean_of_squares = (y ** 2).sum() / n
    empirical_variance = mean_of_squares - empirical_mean ** 2
    expected_value = cardinality / n
    expected_variance = cardinality * (n - cardinality)
    expected_variance /= n - 1
    expected_variance *= 1 / n ** 2
    expected_variance *= empirical_variance / (empirical_mean ** 2)
    z = (statistic - expected_value) / np.sqrt(expected_variance)
    p_norm = np.array([0.5 * math.erfc(abs(v) / math.sqrt(2)) for v in z])

    max_card = max(len(nb) for nb in neighbours)
    random = np.random.RandomState(seed)
    ids = np.empty((permutations, max_card), dtype=np.int64)
    for k in range(permutations):
        # What esda's random.choice(n - 1, size=max_card, replace=False) draws, without its
        # argument checks (a third of a warm assessment's hotspot time).
        ids[k] = random.permutation(n - 1)[:max_card]
    # The shuffles draw from the other areas: id j is area j below i and area j + 1 from i on.
    below, from_i = y[ids], y[np.minimum(ids + 1, n - 1)]
    scaling = y.sum()
    p_sim = np.ones(n, dtype=np.float32)
    z_sim = np.zeros(n)
    for i, nb in enumerate(neighbours):
        c = len(nb)
        if not c:
            continue
        drawn = np.where(ids[:, :c] < i, below[:, :c], from_i[:, :c]).sum(axis=1)
        simulated = (drawn + y[i]) / scaling
        larger = int((simulated >= statistic[i]).sum())
        if permutations - larger < larger:
            larger = permutations - larger
        p_sim[i] = (larger + 1.0) / (permutations + 1.0)
        z_sim[i] = (statistic[i] - simulated.mean()) / simulated.std()
    return {"Gs": statistic, "z": z, "p_norm": p_norm, "p_sim": p_sim, "z_sim": z_sim}
