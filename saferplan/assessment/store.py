"""The DuckDB store for crime and partner data.

One DuckDB file (``var/saferplan.duckdb`` in the web app) holds every imported police record for
every force, whichever partnership imported it: a partnership's records are *selected* by
LSOA -> local authority at analysis time, never by force, so two partnerships covered by the same
force share one copy and a re-import replaces it for both. ``connect()`` with no path gives an
in-memory store for the command line and tests.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from .reference import load_reference

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
    message        varchar
);

-- One row per source file of an accepted import (a zip member is named zip!member).
create table if not exists import_file (
    import_id  integer not null,
    file       varchar not null,
    force      varchar,
    month      varchar,
    rows       bigint not null
);

-- police.uk street-level records (crime and anti-social behaviour), all forces, all months.
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
    context      varchar
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
    value       double not null
);

-- Reference tables, loaded from the shared data folder.
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
"""


def connect(path: str | Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the store; ``None`` gives a fresh in-memory store."""
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = duckdb.connect(str(path) if path is not None else ":memory:", read_only=read_only)
    if not read_only:
        conn.execute(SCHEMA)
        load_reference(conn)
    return conn
