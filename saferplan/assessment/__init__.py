"""Strategic assessment: crime and partner data, import, analysis and findings.

The engine is plain functions over DuckDB with no Django dependency (pages, the command line and
documents call the same functions):

- ``store.connect(path=None)``: open or create the store (in memory when ``path`` is None);
  ``store.scope(cursor, owner)``: make a cursor read what one owner reads (docs/adr/0001).
- ``reference.load.load_files(conn, paths)``: the national reference data (lookup, Census,
  boundaries, harm index) from the publishers' files; ``reference`` is its read API
  (``authorities``, ``boundary_features``, ``census_age``...; docs/adr/0013-reference-data.md).
- ``police.import_police(conn, sources, progress=None, owner=None, areas=None)``: police.uk
  street-level files, all or nothing, replacing only the owner's records; with ``areas`` only the
  forces serving them (``police_sources``).
- ``partner.inspect_csv(path)`` / ``partner.import_partner(conn, path, ColumnMapping(...), dataset, owner=None)``.
- ``engine.assess(conn, lad_codes, Period.parse("2024-01:2024-12"), weights=None)``: everything,
  as ``Assessment.to_dict()``; the single analyses live in ``analysis``, ``hotspots``, ``harm``.
- ``findings.draft_findings(assessment_dict)``: draft findings for an analyst to accept or reject.
- ``report.tables / charts / build_document / write``: tables, charts, PDF, DOCX, CSV, JSON.
"""
