"""Risk matrices: the council's own likelihood x impact scales and how a pair becomes a rating.

Councils score risks on their own matrices, and a register is only read correctly in the
council's own terms, so a matrix is data (labels, scores and rating bands), never hard-coded
arithmetic at the call site. Presets reproduce the matrices in the seeds:

- Medway (seed 001, section 8): likelihood A Very likely .. D Rare, impact I Catastrophic ..
  IV Minor; the rating is the cell's name, e.g. "DII".
- Melton (seed 004, section 15): likelihood 1 Almost impossible .. 6 Very High, impact
  1 Negligible .. 4 Catastrophic; the rating is a band ("Low Risk"). The seed rates L3 x I2 and
  L2 x I2 as "Low Risk"; the other band edges are ours and a partnership can change them.
- A common 5 x 5 (1 Rare .. 5 Almost certain by 1 Insignificant .. 5 Severe), scored L x I.

Scores always grow with risk (a higher likelihood score is more likely), whatever the letters
say, so that tolerance and "above tolerance" mean the same on every matrix.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Level:
    score: int  # higher is more likely / more severe
    code: str  # what the council writes: "A", "II", "3"
    label: str  # "Very likely", "Major"


@dataclass(frozen=True)
class Band:
    name: str  # "Low Risk"
    lowest: int  # smallest likelihood x impact score in the band


@dataclass(frozen=True)
class Rating:
    likelihood: Level
    impact: Level
    score: int  # likelihood.score x impact.score
    text: str  # what the register shows: "DII" or "Low Risk"
    band: str  # band name; for cell-named matrices the band still orders risks


@dataclass(frozen=True)
class RiskMatrix:
    key: str
    name: str
    likelihoods: tuple[Level, ...]  # from least to most likely
    impacts: tuple[Level, ...]  # from least to most severe
    bands: tuple[Band, ...]  # from lowest to highest
    # "cell": the rating is likelihood code + impact code (Medway's "DII"); "band": the band name.
    rating_style: str = "band"
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def level(self, axis: str, code: str) -> Level:
        levels = self.likelihoods if axis == "likelihood" else self.impacts
        for level in levels:
            if level.code == str(code):
                return level
        allowed = ", ".join(f"{lv.code} {lv.label}" for lv in levels)
        raise ValueError(f"{code!r} is not a {axis} on the {self.name} matrix (use one of: {allowed})")

    def band_for(self, score: int) -> str:
        name = self.bands[0].name
        for band in self.bands:
            if score >= band.lowest:
                name = band.name
        return name

    def rate(self, likelihood: str, impact: str) -> Rating:
        lk, im = self.level("likelihood", likelihood), self.level("impact", impact)
        score = lk.score * im.score
        band = self.band_for(score)
        text = f"{lk.code}{im.code}" if self.rating_style == "cell" else band
        return Rating(lk, im, score, text, band)

    def grid(self) -> list[list[Rating]]:
        """Rows from most to least likely, columns from least to most severe (as councils draw it)."""
        return [[self.rate(lk.code, im.code) for im in self.impacts] for lk in reversed(self.likelihoods)]


def _levels(*rows: tuple[str, str]) -> tuple[Level, ...]:
    return tuple(Level(score, code, label) for score, (code, label) in enumerate(rows, start=1))


MEDWAY = RiskMatrix(
    key="medway-4x4",
    name="Medway 4 x 4 (likelihood A-D, impact I-IV)",
    likelihoods=_levels(("D", "Rare"), ("C", "Unlikely"), ("B", "Likely"), ("A", "Very likely")),
    impacts=_levels(("IV", "Minor"), ("III", "Moderate"), ("II", "Major"), ("I", "Catastrophic")),
    bands=(Band("Low", 1), Band("Medium", 4), Band("High", 8), Band("Very high", 12)),
    rating_style="cell",
    source="Medway Council, Community Safety Plan report, section 8 (risk management)",
)
MELTON = RiskMatrix(
    key="melton-6x4",
    name="Melton 6 x 4 (likelihood 1-6, impact 1-4)",
    likelihoods=_levels(("1", "Almost impossible"), ("2", "Very Low"), ("3", "Low"), ("4", "Significant"),
                        ("5", "High"), ("6", "Very High")),
    impacts=_levels(("1", "Negligible"), ("2", "Marginal"), ("3", "Critical"), ("4", "Catastrophic")),
    bands=(Band("Low Risk", 1), Band("Medium Risk", 7), Band("High Risk", 13)),
    source="Melton Borough Council, Community Safety Strategy report, section 15 (risk & mitigation)",
    notes=["The seed rates likelihood 3 x impact 2 and 2 x 2 as Low Risk; the Medium and High "
           "band edges are Saferplan's defaults: change them to the council's own."],
)
COMMON_5X5 = RiskMatrix(
    key="common-5x5",
    name="Common 5 x 5 (likelihood x impact)",
    likelihoods=_levels(("1", "Rare"), ("2", "Unlikely"), ("3", "Possible"), ("4", "Likely"),
                        ("5", "Almost certain")),
    impacts=_levels(("1", "Insignificant"), ("2", "Minor"), ("3", "Moderate"), ("4", "Major"), ("5", "Severe")),
    bands=(Band("Low", 1), Band("Medium", 5), Band("High", 10), Band("Very high", 20)),
)
PRESETS = {m.key: m for m in (MELTON, MEDWAY, COMMON_5X5)}


def custom(key: str, name: str, likelihoods: list[str], impacts: list[str],
           bands: list[tuple[str, int]], rating_style: str = "band") -> RiskMatrix:
    """A partnership's own matrix: labels from least to most, bands as (name, lowest score).

    Codes are the positions 1..n, so a score is always the product of positions.
    """
    if not likelihoods or not impacts:
        raise ValueError("a matrix needs at least one likelihood and one impact")
    if not bands or sorted(b[1] for b in bands) != [b[1] for b in bands] or bands[0][1] != 1:
        raise ValueError("bands must start at score 1 and go up")
    return RiskMatrix(
        key=key, name=name,
        likelihoods=_levels(*[(str(i), label) for i, label in enumerate(likelihoods, start=1)]),
        impacts=_levels(*[(str(i), label) for i, label in enumerate(impacts, start=1)]),
        bands=tuple(Band(n, lowest) for n, lowest in bands),
        rating_style=rating_style,
    )
