"""Every document the product makes, built from the real police.uk files (Melton slices) and the
project's own factories for a plan and a survey."""
from __future__ import annotations

import io

import pytest
from docx import Document as WordDocument
from pypdf import PdfReader

from saferplan.assessment import police, services
from saferplan.core.periods import Period
from saferplan.consultation.testing import make_survey, respond
from saferplan.planning.testing import make_plan
from tests.assessment.web import melton_slice, store  # noqa: F401 - fixture

PERIOD = "2024-01:2024-12"
MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]


@pytest.fixture
def assessed(partnership, store, tmp_path):  # noqa: F811 - the store fixture
    """Two years of Melton's real records (each month's Melton rows, with some rows of no
    location and of older LSOA codes), imported into a fresh store."""
    folder = tmp_path / "police"
    for month in MONTHS:
        melton_slice(month, folder, others=5)
    with services.writing() as conn:
        police.import_police(conn, [folder])
    return Period.parse(PERIOD)


@pytest.fixture
def plan(partnership):
    return make_plan(partnership)


@pytest.fixture
def survey(partnership):
    survey = make_survey(partnership)
    respond(survey, q1="Yes", q4="Speeding cars on the high street")
    respond(survey, q1="No", q4="Nothing")
    return survey


def pdf(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def word(content: bytes):
    return WordDocument(io.BytesIO(content))
