"""Partnerships cannot touch each other's data: the attack of a second partnership on the first,
run against one store, with the first partnership's counts checked against an independent count
of the real police.uk files made with the csv module alone."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from saferplan.assessment import analysis
from saferplan.assessment.engine import assess
from saferplan.assessment.partner import ColumnMapping, import_partner, partner_summary
from saferplan.core.periods import Period
from saferplan.assessment.police import ImportNeedsConfirmation, import_police
from saferplan.assessment.store import connect, scope

from .conftest import MELTON, independent_counts, police_file

A, B = 1, 2  # partnership ids: A is Melton's partnership, B the attacker
# August 2024 and the month it is compared with: the same month a year earlier.
MONTHS = ["2023-08", "2024-08"]
AUGUST = Period.parse("2024-08:2024-08")


def counts(conn, owner, period=AUGUST) -> dict:
    """What ``owner``'s assessment counts per category in Melton, in the period and the one before."""
    cursor = scope(conn.cursor(), owner)
    try:
        rows = analysis.category_changes(cursor, [MELTON], period)
        return {"current": {r["category"]: r["count"] for r in rows if r["count"]},
                "previous": {r["category"]: r["previous_count"] for r in rows if r["previous_count"]}}
    finally:
        cursor.close()


def expected(lsoa_lad) -> dict:
    return {"current": dict(independent_counts(lsoa_lad, MELTON, ["2024-08"])),
            "previous": dict(independent_counts(lsoa_lad, MELTON, ["2023-08"]))}


def rows_of(month: str) -> tuple[list[str], list[list[str]]]:
    with open(police_file(month), encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        return next(reader), list(reader)


def write(path: Path, header, rows) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def attack_files(folder: Path, lsoa_lad) -> list[Path]:
    """A one-row file named for Melton's force-month, and six files of an invented force whose
    rows are Melton's August rows (its LSOA codes), as the attacker uploaded them."""
    header, rows = rows_of("2024-08")
    files = [write(folder / "one" / "2024-08-leicestershire-street.csv", header, rows[:1])]
    code = header.index("LSOA code")
    falls = header.index("Falls within")
    melton = [r for r in rows if lsoa_lad.get(r[code]) == MELTON]
    for n in range(6):
        fake = [[*r[:falls], "Invented Police", *r[falls + 1:]] for r in melton]
        files.append(write(folder / f"fake{n}" / f"2024-08-invented{n}-street.csv", header, fake))
    return files


@pytest.fixture
def shared_store():
    """Leicestershire August 2023 and 2024 loaded for everyone, as the operator does."""
    conn = connect()
    import_police(conn, [police_file(m) for m in MONTHS])
    yield conn
    conn.close()


def test_an_attacker_cannot_change_what_melton_reads_from_shared_data(shared_store, tmp_path, lsoa_lad):
    conn = shared_store
    before = counts(conn, A)
    assert before == expected(lsoa_lad)
    in_melton = sum(before["current"].values())
    header, rows = rows_of("2024-08")

    one, *fakes = attack_files(tmp_path, lsoa_lad)
    with pytest.raises(ImportNeedsConfirmation) as refused:
        import_police(conn, [one], owner=B)
    assert f"leicestershire 2024-08: {len(rows):,} records now, 1 in the new file" in str(refused.value)
    # Even confirmed, and with the invented force, only B's own reading changes.
    import_police(conn, [one], owner=B, confirm_shrink=True)
    import_police(conn, fakes, owner=B)

    assert counts(conn, A) == expected(lsoa_lad)
    assert counts(conn, None) == expected(lsoa_lad)
    b = counts(conn, B)
    first_in_melton = lsoa_lad.get(rows[0][header.index("LSOA code")]) == MELTON
    assert sum(b["current"].values()) == 6 * in_melton + first_in_melton
    cursor = scope(conn.cursor(), A)
    assert analysis.area_forces(cursor, [MELTON]) == ["leicestershire"]
    assert sum(1 for _ in cursor.execute("select * from police_seen where owner is not null").fetchall()) == 0
    cursor.close()


def test_melton_s_own_upload_is_what_it_reads_and_nobody_else_replaces_it(shared_store, tmp_path, lsoa_lad):
    conn = shared_store
    header, rows = rows_of("2024-08")
    own = write(tmp_path / "own" / "2024-08-leicestershire-street.csv", header, rows)
    result = import_police(conn, [own], owner=A)
    assert result.rows_replaced == 0  # the shared records are not A's to replace
    assert counts(conn, A) == expected(lsoa_lad)

    one, *fakes = attack_files(tmp_path, lsoa_lad)
    import_police(conn, [one], owner=B, confirm_shrink=True)
    import_police(conn, fakes, owner=B)
    # The operator's own shrinking reload of the shared month changes B's view, not A's own.
    import_police(conn, [one], confirm_shrink=True)
    assert counts(conn, A) == expected(lsoa_lad)
    assert sum(counts(conn, None)["current"].values()) <= 1

    # A's re-import replaces A's records of the month and nothing else.
    again = import_police(conn, [own], owner=A)
    assert again.rows_replaced == len(rows)
    assert counts(conn, A) == expected(lsoa_lad)
    in_melton = sum(expected(lsoa_lad)["current"].values())
    assert conn.execute("select count(*) from police_record where owner = ?", [B]).fetchone()[0] == 1 + 6 * in_melton


def test_a_partnership_s_upload_of_a_month_it_does_not_hold_shared_is_its_own(tmp_path, lsoa_lad):
    conn = connect()
    import_police(conn, [police_file("2023-08")])
    header, rows = rows_of("2024-08")
    import_police(conn, [write(tmp_path / "2024-08-leicestershire-street.csv", header, rows)], owner=B)
    assert counts(conn, B) == expected(lsoa_lad)
    assert counts(conn, A)["current"] == {}  # A has no August: missing, not borrowed from B
    cursor = scope(conn.cursor(), A)
    assert analysis.coverage(cursor, [MELTON], AUGUST)["missing_months"] == ["2024-08"]
    cursor.close()


def test_the_whole_assessment_reads_only_the_owner_s_records(shared_store, tmp_path, lsoa_lad):
    conn = shared_store
    one, *fakes = attack_files(tmp_path, lsoa_lad)
    import_police(conn, fakes, owner=B)
    cursor = scope(conn.cursor(), A)
    data = assess(cursor, [MELTON], AUGUST, with_hotspots=False).to_dict()
    cursor.close()
    want = expected(lsoa_lad)
    assert data["total"] == sum(want["current"].values())
    assert data["total_previous"] == sum(want["previous"].values())
    assert sum(r["crimes"] + r["asb"] for r in data["lsoas"]) <= data["total"]
    assert data["coverage"]["forces"] == ["leicestershire"]
    assert sum(r["records"] for r in data["repeat_locations"]) <= data["total"]


def test_an_unscoped_cursor_cannot_read_any_partnership_s_data(shared_store):
    cursor = shared_store.cursor()
    with pytest.raises(Exception, match="police_seen"):
        analysis.category_changes(cursor, [MELTON], AUGUST)
    cursor.close()


# --- Partner data --------------------------------------------------------------------------------


def partner_csv(path: Path, rows) -> Path:
    """A partner file in the layout the mapping form reads, with Melton's real 2021 LSOA codes."""
    return write(path, ["LSOA21CD", "Month", "Incident type", "Incidents"], rows)


MAPPING = ColumnMapping(area="LSOA21CD", month="Month", count="Incidents", measure="Incident type")


def melton_lsoas(lsoa_lad) -> list[str]:
    return sorted(code for code, lad in lsoa_lad.items() if lad == MELTON)


def test_partner_data_is_read_and_replaced_by_its_owner_only(tmp_path, lsoa_lad):
    conn = connect()
    lsoas = melton_lsoas(lsoa_lad)
    mine = [(code, "2024-08", "Deliberate fires", n % 4) for n, code in enumerate(lsoas)]
    import_partner(conn, partner_csv(tmp_path / "a.csv", mine), MAPPING, "Fire service incidents", owner=A)
    total = sum(r[3] for r in mine)

    # B imports a dataset of the same name, measure and month (in Melton too): A's rows stay.
    theirs = [(lsoas[0], "2024-08", "Deliberate fires", 99)]
    import_partner(conn, partner_csv(tmp_path / "b.csv", theirs), MAPPING, "Fire service incidents", owner=B)

    def summary(owner, areas):
        cursor = scope(conn.cursor(), owner)
        try:
            return {r["measure"]: r["count"] for r in partner_summary(cursor, areas, AUGUST)}
        finally:
            cursor.close()

    assert summary(A, [MELTON]) == {"Deliberate fires": total}
    assert summary(B, [MELTON]) == {"Deliberate fires": 99}
    # B adding Melton's code to its area reads B's own rows only, never A's.
    assert summary(B, [MELTON, "E07000134"]) == {"Deliberate fires": 99}
    assert summary(None, [MELTON]) == {}
    # A's re-import replaces A's rows.
    result = import_partner(conn, partner_csv(tmp_path / "a2.csv", mine[:3]), MAPPING, "Fire service incidents",
                            owner=A)
    assert result.rows_replaced == len(mine)
    assert summary(A, [MELTON]) == {"Deliberate fires": sum(r[3] for r in mine[:3])}
    assert summary(B, [MELTON]) == {"Deliberate fires": 99}


def test_an_old_store_is_upgraded_in_place(tmp_path):
    """A store written before records had owners keeps its records, now shared."""
    import duckdb

    from saferplan.assessment import store as store_module

    path = tmp_path / "old.duckdb"
    old = duckdb.connect(str(path))
    legacy = store_module.SCHEMA
    for column in ("    owner          integer,", "    made_by        varchar"):
        legacy = legacy.replace(column, "")
    legacy = (legacy.replace("    message        varchar,\n", "    message        varchar\n")
              .replace("    context      varchar,\n    owner        integer", "    context      varchar")
              .replace("    value       double not null,\n    owner       integer", "    value       double not null"))
    old.execute(legacy)
    assert "owner" not in [r[0] for r in old.execute("describe police_record").fetchall()]
    old.close()
    conn = connect(path)
    import_police(conn, [police_file("2024-08")])
    rows = len(rows_of("2024-08")[1])
    assert conn.execute("select count(*) from police_seen").fetchone()[0] == rows
    conn.close()
    conn = connect(path)
    assert "owner" in [r[0] for r in conn.execute("describe police_record").fetchall()]
    assert conn.execute("select count(*) from police_record where owner is null").fetchone()[0] == rows
    conn.close()


def test_independent_count_helper_counts_every_category(lsoa_lad):
    """The csv-module count the tests compare with is itself a whole count of the month."""
    header, rows = rows_of("2024-08")
    code = header.index("LSOA code")
    assert sum(independent_counts(lsoa_lad, MELTON, ["2024-08"]).values()) == sum(
        1 for r in rows if lsoa_lad.get(r[code]) == MELTON) > 0
    assert Counter(r[header.index("Falls within")] for r in rows).most_common(1)[0][0] == "Leicestershire Police"
