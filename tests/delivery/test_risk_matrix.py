"""Ratings on the councils' own matrices, as the seeds write them."""
import re
from pathlib import Path

import pytest

from saferplan.delivery.risk_matrix import COMMON_5X5, MEDWAY, MELTON, custom

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_medway_ratings_are_cell_names_as_in_the_seed():
    text = _seed("001")
    # The seed's register rates two risks DII and two CIII.
    seen = re.findall(r"\|\s*([A-D]I{1,3}V?)\s*\|\s*$", text, flags=re.M)
    assert sorted(seen) == ["CIII", "CIII", "DII", "DII"]
    for rating in seen:
        likelihood, impact = rating[0], rating[1:]
        assert MEDWAY.rate(likelihood, impact).text == rating


def test_medway_orders_letters_as_risk_not_alphabet():
    # A (very likely) is riskier than D (rare); I (catastrophic) worse than IV (minor).
    assert MEDWAY.rate("A", "I").score > MEDWAY.rate("D", "I").score
    assert MEDWAY.rate("D", "I").score > MEDWAY.rate("D", "IV").score
    assert MEDWAY.rate("A", "I").band == "Very high"


def test_melton_seed_risks_are_low_risk():
    text = _seed("004")
    assert "Low\tMarginal\tLow Risk" in text and "Very Low\tMarginal\tLow Risk" in text
    assert MELTON.rate("3", "2").text == "Low Risk"
    assert MELTON.rate("2", "2").text == "Low Risk"
    assert MELTON.rate("6", "4").text == "High Risk"


def test_grid_is_drawn_most_likely_first():
    grid = MELTON.grid()
    assert len(grid) == 6 and len(grid[0]) == 4
    assert grid[0][0].likelihood.label == "Very High" and grid[-1][0].likelihood.label == "Almost impossible"


def test_unknown_level_is_refused_with_the_allowed_values():
    with pytest.raises(ValueError, match="not a likelihood on the Medway"):
        MEDWAY.rate("E", "I")
    with pytest.raises(ValueError, match="1 Rare"):
        COMMON_5X5.rate("9", "1")


def test_custom_matrix_needs_bands_from_one_upwards():
    m = custom("ours", "Ours", ["Low", "High"], ["Small", "Big"], [("Fine", 1), ("Act", 3)])
    assert m.rate("2", "2").text == "Act" and m.rate("1", "2").text == "Fine"
    with pytest.raises(ValueError):
        custom("bad", "Bad", ["Low"], ["Small"], [("Act", 3), ("Fine", 1)])
