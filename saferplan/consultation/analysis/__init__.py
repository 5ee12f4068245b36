"""The analysis of a survey's responses, live while it is open.

Per question: how many respondents answered it (the base) and what share of all respondents
that is; per option the count, the percent of the base and a 95% Wilson interval. Multiple
choice is counted per option, never per combination. Cross-tabulations and
equality answers (only ever in aggregate) follow :mod:`saferplan.core.disclosure`'s rules for them.

The package by family: ``results`` (per question), ``crosstabs`` (two dimensions at once),
``respondents`` (per day, equality answers, the Census profile). Callers use this module's names.
"""
from .crosstabs import chi_squared, crosstab, crosstab_dimensions
from .respondents import by_day, census_age, census_profile, equality_counts, equality_summary
from .results import (
    COUNTED_STATUSES,
    NOT_COUNTED,
    UNDER_REPRESENTED_RATIO,
    AnalysisError,
    OptionResult,
    QuestionResult,
    analyse,
    answers_by_code,
    counted_answers,
    counted_responses,
    example_responses,
    group_others,
    percent,
    results_json,
    wilson,
)

__all__ = [
    "chi_squared",
    "crosstab",
    "crosstab_dimensions",
    "by_day",
    "census_age",
    "census_profile",
    "equality_counts",
    "equality_summary",
    "COUNTED_STATUSES",
    "NOT_COUNTED",
    "UNDER_REPRESENTED_RATIO",
    "AnalysisError",
    "OptionResult",
    "QuestionResult",
    "analyse",
    "answers_by_code",
    "counted_answers",
    "counted_responses",
    "example_responses",
    "group_others",
    "percent",
    "results_json",
    "wilson",
]
