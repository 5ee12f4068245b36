"""The DuckDB store for crime and partner data.

One DuckDB file (``var/saferplan.duckdb`` in the web app) holds every imported police and
partner record. Every record has an owner (docs/adr/0006-crime-store-ownership.md): NULL for
shared data the site operator loaded for everyone, otherwise the id of the partnership whose
analyst imported it, so that no partnership can change what another reads. Analysis never reads
``police_record`` or ``partner_record`` directly: :func:`scope` gives a cursor the views
``police_seen``, ``partner_seen`` and ``import_file_seen`` (what one owner reads), and the
analysis queries read those (and ``police_month_seen``, the file behind each force-month it
reads, with its counts). Within a partnership's area, records are *selected* by LSOA ->
local authority, never by force. ``connect()`` with no path gives an in-memory store for the
command line and tests.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb


SCHEMA = """
create sequence if not exists import_id_seq start 1;

-- One row per import attempt that was accepted (refused imports leave nothing behind).
create table if not exists import_log (
    import_id      integer primary key,
    kind           varchar not null,          -- 'police' or 'partner'
    started_at     timestamp not null,
    finished_at    timestamp,
    sources        varchar[] not null,        -- what the user gave: folders, files, zips
    forces         varchar[],
    months         varchar[],                 -- 'YYYY-MM' covered (replaced) by this import
    dataset        varchar,                   -- partner imports: the dataset name
    rows_read      bigint,
    rows_no_location  bigint,                 -- no LSOA code: the force's, but no area's
    rows_name_assigned bigint,                -- non-2021 LSOA code placed by its LSOA name
    rows_unmatched bigint,                    -- non-2021 LSOA code that names no authority
    rows_replaced  bigint,                    -- earlier records of the same force-months removed
    message        varchar,
    owner          integer,                   -- NULL: shared load by the operator; else partnership id
    made_by        varchar                    -- who or what ran it, as people should read it
);

-- One row per source file of an accepted import (a zip member is named zip!member), with how
-- its records were placed, so that data quality never rescans a force's records.
create table if not exists import_file (
    import_id  integer not null,
    file       varchar not null,
    force      varchar,
    month      varchar,
    rows       bigint not null,
    no_location    bigint,                    -- no LSOA code (lsoa_status 'none')
    no_coordinates bigint,                    -- no longitude or no latitude
    name_assigned  bigint,                    -- non-2021 LSOA code placed by its LSOA name
    unmatched      bigint                     -- non-2021 LSOA code that names no authority
);

-- police.uk street-level records (crime and anti-social behaviour), all forces, all months.
-- Each import stores its rows ordered by (lad_code, month), so that DuckDB's per-row-group
-- min/max skips the rest of the country when one authority is assessed
-- (docs/adr/0011-store-layout.md).
create table if not exists police_record (
    import_id    integer not null,
    force        varchar not null,            -- file-name slug, e.g. 'leicestershire', 'btp'
    month        date not null,               -- first day of the month
    crime_id     varchar,                     -- null for anti-social behaviour
    reported_by  varchar,
    falls_within varchar,
    lon          double,
    lat          double,
    location     varchar,                     -- anonymised snap point, "On or near ..."
    lsoa_code    varchar,
    lsoa_name    varchar,
    lad_code     varchar,                     -- resolved local authority (null if none)
    lsoa_status  varchar not null,            -- '2021' | 'name-assigned' | 'unmatched' | 'none'
    category     varchar not null,            -- police.uk "Crime type"
    outcome      varchar,                     -- "Last outcome category" when the file was published
    context      varchar,
    owner        integer                      -- NULL: shared; else the partnership that uploaded it
);

-- Partner counts (fire, health, council ASB, hate crime, domestic abuse...) after mapping.
create table if not exists partner_record (
    import_id   integer not null,
    dataset     varchar not null,             -- e.g. 'Fire service incidents'
    measure     varchar not null,             -- e.g. 'Deliberate fires'
    month       date not null,
    area_level  varchar not null,             -- 'lsoa' | 'ward' | 'lad'
    area_code   varchar not null,
    lad_code    varchar not null,
    value       double not null,
    owner       integer                       -- the partnership that imported it (NULL: operator)
);

-- Reference tables: national data the site operator loads from the publishers' files
-- (saferplan reference load; reference/load.py), shared by every partnership.
create table if not exists reference_load (
    dataset varchar not null,                 -- lsoa-lookup, population, harm-index, lsoa-boundaries, ward-boundaries
    lad_code varchar,                         -- boundaries: the authority; else NULL (national)
    source varchar not null,                  -- the file as the operator named it
    rows bigint not null,
    loaded_at timestamp not null
);
create table if not exists harm_offence (
    position integer, title varchar, score double, offence_group varchar, sub_group varchar
);
create table if not exists lsoa_boundary (
    lsoa_code varchar primary key, lsoa_name varchar, lad_code varchar not null, geometry varchar not null
);
create table if not exists ward_boundary (
    ward_code varchar primary key, ward_name varchar, lad_code varchar not null, geometry varchar not null
);
create table if not exists lsoa (
    lsoa_code varchar primary key, lsoa_name varchar, lad_code varchar, lad_name varchar
);
create table if not exists authority_name (
    name varchar primary key, lad_code varchar not null, source varchar
);
create table if not exists lsoa_population (
    lsoa_code varchar, age_group varchar, residents integer
);
create table if not exists ward (
    ward_code varchar primary key, ward_name varchar, lad_code varchar
);
create table if not exists lsoa_ward (
    lsoa_code varchar primary key, ward_code varchar, area_share double
);
-- LSOAs whose boundaries touch (Queen contiguity), both ways, worked out when boundaries load.
create table if not exists lsoa_neighbour (
    lsoa_code varchar not null, neighbour_code varchar not null
);
"""


# Stores written before records had owners are upgraded in place: what they hold was loaded for
# everyone, which is what a NULL owner means.
UPGRADE = """
alter table import_log add column if not exists owner integer;
alter table import_log add column if not exists made_by varchar;
alter table police_record add column if not exists owner integer;
alter table partner_record add column if not exists owner integer;
alter table import_file add column if not exists no_location bigint;
alter table import_file add column if not exists no_coordinates bigint;
alter table import_file add column if not exists name_assigned bigint;
alter table import_file add column if not exists unmatched bigint;
"""

# Files imported before import_file counted placements get them from the records they still
# hold (a file whose records were since replaced is no longer read, so it needs none).
BACKFILL_FILE_COUNTS = """
update import_file f set no_location = c.no_location, no_coordinates = c.no_coordinates,
    name_assigned = c.name_assigned, unmatched = c.unmatched
from (
    select import_id, force, strftime(month, '%Y-%m') as month,
           count(*) filter (where lsoa_status = 'none') as no_location,
           count(*) filter (where lon is null or lat is null) as no_coordinates,
           count(*) filter (where lsoa_status = 'name-assigned') as name_assigned,
           count(*) filter (where lsoa_status = 'unmatched') as unmatched
    from police_record group by all
) c
where c.import_id = f.import_id and c.force = f.force and c.month = f.month
"""

# The one definition of what an owner reads (``p`` NULL: the shared data alone). Police data: for
# each force-month, the owner's own records if it has any, else the shared ones. Partner data:
# the owner's own rows only. Files: the shared files and the owner's (months covered).
READ_MACROS = """
create or replace macro police_records_for(p) as table
    select r.* from police_record r where r.owner = p
    union all
    -- The owner's force-months come from its import files (small), not from its records: every
    -- accepted police file has records (empty files are refused), so the two say the same.
    select r.* from police_record r
    anti join (select distinct f.force, cast(f.month || '-01' as date) as month
               from import_file f join import_log l using (import_id) where l.owner = p) o
        on r.force = o.force and r.month = o.month
    where r.owner is null;
-- The file behind each force-month the owner reads (its own latest, else the latest shared):
-- an import replaces all of its owner's records of a force-month, so the latest file of an
-- owner and force-month describes exactly the records police_records_for(p) gives.
create or replace macro police_months_for(p) as table
    with latest as (
        select f.*, l.owner from import_file f join import_log l using (import_id)
        where l.kind = 'police' and (l.owner = p or l.owner is null)
        qualify row_number() over (partition by f.force, f.month, l.owner order by f.import_id desc) = 1
    )
    select * from latest where owner = p
    union all
    select * from latest s where owner is null and not exists (
        select 1 from latest o where o.owner = p and o.force = s.force and o.month = s.month);
create or replace macro partner_records_for(p) as table
    select * from partner_record where owner is not distinct from p;
create or replace macro import_files_for(p) as table
    select f.* from import_file f join import_log l using (import_id)
    where l.owner is null or l.owner = p;
create or replace macro imports_for(p) as table
    select * from import_log where owner is not distinct from p
       or (owner is null and kind = 'police');
"""


def reference_source() -> str | None:
    """A store to copy reference data from into a new one (``SAFERPLAN_REFERENCE_FROM``): the
    test session's, or a second instance's; the site's own store is loaded by the operator."""
    return os.environ.get("SAFERPLAN_REFERENCE_FROM") or None


def connect(path: str | Path | None = None, *, read_only: bool = False,
            reference_from: str | Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store; ``None`` gives a fresh in-memory store.

    A writable store with no reference data is given a copy of ``reference_from`` 's (default:
    :func:`reference_source`), when there is one; otherwise reference data is what the operator
    loads (``saferplan reference load``)."""
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path) if path is not None else ":memory:", read_only=read_only)
    if not read_only:
        counted = conn.execute(
            "select count(*) from duckdb_columns() where table_name = 'import_file' "
            "and column_name = 'no_location'").fetchone()[0]
        had_neighbours = conn.execute(
            "select count(*) from duckdb_tables() where table_name = 'lsoa_neighbour'").fetchone()[0]
        conn.execute(SCHEMA)
        conn.execute(UPGRADE)
        if not had_neighbours and conn.execute("select count(*) from lsoa_boundary").fetchone()[0]:
            # Boundaries loaded before neighbours were kept: work them out once, now.
            from .reference.load import work_out_neighbours

            work_out_neighbours(conn, None)
        if not counted:
            conn.execute(BACKFILL_FILE_COUNTS)
        conn.execute(READ_MACROS)
        source = reference_from or reference_source()
        if source and not conn.execute("select count(*) from reference_load").fetchone()[0]:
            from .reference.load import copy_reference

            copy_reference(conn, source)
        # The connection itself reads the shared data (the command line, tests); every cursor
        # the web takes from it is a new connection and must be scoped to its partnership.
        scope(conn, None)
    return conn


def owner_sql(owner: int | None) -> str:
    """An owner as an SQL literal (an int or NULL, never text from a person)."""
    return "NULL" if owner is None else str(int(owner))


def scope(cursor, owner: int | None):
    """Make ``cursor`` read what ``owner`` reads (None: the shared data) and return it.

    The views are temporary, so they belong to this cursor alone: two requests of two
    partnerships never see each other's scope, and an unscoped cursor cannot run an analysis
    query at all (the views do not exist).
    """
    o = owner_sql(owner)
    cursor.execute(f"""
        create or replace temp view police_seen as select * from police_records_for({o});
        create or replace temp view partner_seen as select * from partner_records_for({o});
        create or replace temp view import_file_seen as select * from import_files_for({o});
        create or replace temp view import_log_seen as select * from imports_for({o});
        create or replace temp view police_month_seen as select * from police_months_for({o});
    """)
    return cursor
