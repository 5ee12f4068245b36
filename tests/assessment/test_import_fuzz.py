"""Fuzzing the police and partner importers with broken versions of real files (Hypothesis).

The property, for any input: the import either keeps the file whole (every record the csv module
reads from it is in the store, as its owner's, and nothing else changed) or is refused with an
ImportRefused that names the file as it was given, and the store is exactly as it was.
"""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from saferplan.assessment.partner import ColumnMapping, import_partner
from saferplan.assessment.police import ImportRefused, import_police
from saferplan.assessment.store import connect

from .conftest import MELTON, police_file

MONTH = "2024-08"
NAME = f"{MONTH}-leicestershire-street.csv"
OWNER = 7
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def police_seed() -> bytes:
    with open(police_file(MONTH), "rb") as handle:
        return b"".join(handle.readline() for _ in range(41))


SEED = police_seed()
# Bytes that break CSV files in the ways files break: quotes, separators, line ends, a BOM, NUL,
# bytes that are not UTF-8, UTF-16, and the text of other fields.
NASTY = st.sampled_from([b'"', b",", b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\x00", b"\xff\xfe", b"\xe9",
                         b"\xc3", b"2024-13", b"", b" ", b"NaN", b"E01025854", b",,,,,,,,,,,,", b'""'])


@st.composite
def broken(draw, seed: bytes):
    """The seed with a few edits: bytes replaced, inserted or removed, lines doubled or cut."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["insert", "replace", "delete", "truncate", "double_line", "random"]))
        if kind == "insert":
            data[at:at] = draw(NASTY)
        elif kind == "replace":
            data[at:at + draw(st.integers(1, 20))] = draw(NASTY)
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        elif kind == "truncate":
            del data[at:]
        elif kind == "double_line":
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end < 0 else end + 1
            data[end:end] = data[start:end]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=30))
    return bytes(data)


def snapshot(conn) -> tuple:
    return tuple(conn.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {table} t").fetchone()
                 for table in ("police_record", "partner_record", "import_log", "import_file"))


def csv_records(data: bytes) -> list[list[str]]:
    """The file's records as the csv module reads them (header excluded, blank lines skipped)."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True))
    return [r for r in rows[1:] if r]


@pytest.fixture(scope="module")
def police_store():
    conn = connect()
    import_police(conn, [police_file(MONTH)])  # shared data that no fuzzed import may touch
    yield conn
    conn.close()


@FUZZ
@given(data=broken(SEED))
@example(data=b"\r" + SEED)  # found by this test: a carriage return before the header was a csv.Error
def test_police_import_is_whole_or_refused(police_store, tmp_path_factory, data):
    conn = police_store
    path = tmp_path_factory.mktemp("fuzz") / "upload.csv"
    path.write_bytes(data)
    before = snapshot(conn)
    shared = conn.execute("select count(*) from police_record where owner is null").fetchone()[0]
    try:
        result = import_police(conn, [(path, NAME)], owner=OWNER, confirm_shrink=True)
    except ImportRefused as exc:
        event(f"refused: {exc.reason[:40]}")
        assert snapshot(conn) == before
        assert NAME in str(exc) and str(path.parent) not in str(exc)
        return
    event("imported")
    records = csv_records(data)
    assert result.rows_read == len(records)
    stored = conn.execute("select count(*) from police_record where import_id = ? and owner = ?",
                          [result.import_id, OWNER]).fetchone()[0]
    assert stored == len(records)
    assert Counter(r[9].strip() for r in records) == Counter(dict(conn.execute(
        "select category, count(*) from police_record where import_id = ? group by 1", [result.import_id]).fetchall()))
    assert conn.execute("select count(*) from police_record where owner is null").fetchone()[0] == shared


def partner_seed(lsoa_lad) -> bytes:
    counts: Counter = Counter()
    with open(police_file(MONTH), encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if lsoa_lad.get(row["LSOA code"]) == MELTON:
                counts[(row["LSOA code"], row["Crime type"])] += 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["LSOA21CD", "Month", "Incident type", "Incidents"])
    for (code, category), n in sorted(counts.items())[:30]:
        writer.writerow([code, MONTH, category, n])
    return out.getvalue().encode("utf-8")


MAPPING = ColumnMapping(area="LSOA21CD", month="Month", count="Incidents", measure="Incident type")


@pytest.fixture(scope="module")
def partner_store():
    conn = connect()
    yield conn
    conn.close()


@FUZZ
@given(data=st.data())
def test_partner_import_is_whole_or_refused(partner_store, tmp_path_factory, lsoa_lad, data):
    conn = partner_store
    content = data.draw(broken(partner_seed(lsoa_lad)))
    path = tmp_path_factory.mktemp("fuzz") / "upload.csv"
    path.write_bytes(content)
    before = snapshot(conn)
    try:
        result = import_partner(conn, path, MAPPING, "Fuzzed", owner=OWNER, name="fires.csv")
    except ImportRefused as exc:
        event(f"refused: {exc.reason[:40]}")
        assert snapshot(conn) == before
        assert "fires.csv" in str(exc) and str(path.parent) not in str(exc)
        return
    event("imported")
    records = csv_records(content)
    assert result.rows == len(records)
    total = conn.execute("select sum(value) from partner_record where import_id = ?", [result.import_id]).fetchone()[0]
    assert total == pytest.approx(sum(float(r[3]) for r in records))
