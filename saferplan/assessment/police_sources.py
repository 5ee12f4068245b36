"""Which police.uk files a partnership's import keeps.

The monthly archive holds every force. A partnership needs only the forces that have records in
its area: usually its own force, plus any neighbour whose files hold crimes located in the area
(a force's file holds crimes outside its own authorities). So each force in the input is kept
when any of its files has a record whose 2021 LSOA (or, for an older code, whose LSOA name) is
in the area; the rest are skipped and reported. A force whose files cannot be read here is kept,
so that the import's own checks refuse it with the file, line and field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from .reference import LSOA_NAME_SUFFIX


@dataclass
class SkippedForce:
    force: str
    files: int
    months: list[str]

    def describe(self) -> str:
        months = self.months[0] if len(self.months) == 1 else f"{self.months[0]} to {self.months[-1]}"
        return f"{self.force} ({self.files} {'file' if self.files == 1 else 'files'}, {months})"

    def to_dict(self) -> dict:
        return {"force": self.force, "files": self.files, "months": self.months}


def force_slug(name: str) -> str:
    """police.uk's file-name slug of a force's name ("Leicestershire Police" -> leicestershire);
    the import reads a file's force from its "Falls within" the same way."""
    name = re.sub(r" (Police Service|Police|Constabulary)$", "", name.strip())
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def forces_in_area(conn, files: list, lad_codes: list[str],
                   own_forces: list[str] = ()) -> tuple[list, list[SkippedForce]]:
    """Split ``files`` (police.SourceFile) into those of the partnership's own forces
    (``own_forces``, names or slugs) or of forces with records in ``lad_codes``, and the forces
    skipped. Files whose force is not in their name are always kept (their force is read from
    their rows during the import)."""
    own = {force_slug(f) for f in own_forces}
    by_force: dict[str, list] = {}
    kept = []
    for source in files:
        if source.force:
            by_force.setdefault(source.force, []).append(source)
        else:
            kept.append(source)
    skipped = []
    for force, sources in sorted(by_force.items()):
        if force in own or _has_records_in(conn, sources, lad_codes):
            kept += sources
        else:
            skipped.append(SkippedForce(force, len(sources), sorted({s.month for s in sources if s.month})))
    order = {id(s): i for i, s in enumerate(files)}
    return sorted(kept, key=lambda s: order[id(s)]), skipped


def _has_records_in(conn, sources: list, lad_codes: list[str]) -> bool:
    listing = "[" + ", ".join("'" + str(s.path).replace("'", "''") + "'" for s in sources) + "]"
    cursor = conn.cursor()
    try:
        # Only two columns are read, leniently: this decides what to import, the import checks.
        return bool(cursor.execute(
            f"""
            select count(*) from (
                select "LSOA code" as code, "LSOA name" as name
                from read_csv({listing}, header = true, all_varchar = true, delim = ',', quote = '"',
                              escape = '"', ignore_errors = true, null_padding = true)
            ) r
            where r.code in (select lsoa_code from lsoa where lad_code in (select unnest($areas)))
               or (r.code is not null and r.code not in (select lsoa_code from lsoa)
                   and regexp_replace(trim(r.name), '{LSOA_NAME_SUFFIX}', '') in
                       (select name from authority_name where lad_code in (select unnest($areas))))
            limit 1
            """, {"areas": list(lad_codes)}).fetchone()[0])
    except duckdb.Error:
        return True
    finally:
        cursor.close()
