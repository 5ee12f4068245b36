"""A prepared query (core/prepared.py) gives what the queryset it was written as gives, compiles
its SQL once, and takes values only as parameters."""
from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from saferplan.consultation.models import Survey
from saferplan.consultation.testing import make_survey
from saferplan.core.prepared import PreparedQuery
from saferplan.partnership.testing import make_partnership

pytestmark = pytest.mark.django_db


def by_address():
    return PreparedQuery(
        lambda partnership, survey: Survey.objects.select_related("partnership").filter(
            partnership__slug=partnership, slug=survey, published=True)[:1],
        "partnership", "survey")


def test_it_gives_the_same_instances_as_the_queryset(partnership):
    survey = make_survey(partnership)
    make_survey(make_partnership(slug="elsewhere", name="Elsewhere CSP"), slug=survey.slug)  # same slug, another partnership
    found = by_address().first(partnership=partnership.slug, survey=survey.slug)
    expected = Survey.objects.select_related("partnership").get(partnership=partnership, slug=survey.slug)
    assert found.pk == expected.pk and found.partnership.pk == partnership.pk
    fields = [f.attname for f in Survey._meta.concrete_fields]
    assert [getattr(found, f) for f in fields] == [getattr(expected, f) for f in fields]
    # Converted as the ORM converts them (JSON, dates), not left as the database's text.
    assert found.partnership.area_codes == expected.partnership.area_codes and isinstance(found.partnership.area_codes, list)
    assert found.opens_on == expected.opens_on and not found._state.adding and found._state.db == "default"


def test_nothing_found_is_none_and_what_the_builder_filters_on_still_counts(partnership):
    survey = make_survey(partnership, slug="draft", published=False)
    query = by_address()
    assert query.first(partnership=partnership.slug, survey="no-such-survey") is None
    assert query.first(partnership=partnership.slug, survey=survey.slug) is None  # published=True is in the SQL


def test_the_sql_is_compiled_once_and_values_stay_parameters(partnership, monkeypatch):
    survey = make_survey(partnership)
    query = by_address()
    compiled = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    assert query.first(partnership=partnership.slug, survey=survey.slug).pk == survey.pk
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert query.first(partnership=partnership.slug, survey=survey.slug).pk == survey.pk
        assert query.first(partnership=partnership.slug, survey="x' OR '1'='1") is None
    assert compiled == [Survey]
    assert len(queries.captured_queries) == 4


def test_only_the_named_text_values_are_taken(partnership):
    query = by_address()
    with pytest.raises(TypeError):
        query.first(partnership=partnership.slug)
    with pytest.raises(TypeError):
        query.first(partnership=partnership.slug, survey=7)


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_on_postgresql_the_statement_is_prepared_once_on_the_server(partnership):
    """What production runs (saferplan.ops.postgresql): the public pages' lookup is parsed and
    planned once per connection, then only executed, and the log still shows the query with its values."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    survey = make_survey(partnership)
    query = by_address()
    before = prepared_statements()
    assert query.first(partnership=partnership.slug, survey=survey.slug).pk == survey.pk
    added = [s for s in prepared_statements() if s not in before]
    assert len(added) == 1 and '"consultation_survey"' in added[0] and "$1" in added[0]
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert query.first(partnership=partnership.slug, survey=survey.slug).pk == survey.pk
    assert len(prepared_statements()) == len(before) + 1  # run again, not prepared again
    assert f"'{survey.slug}'" in queries.captured_queries[0]["sql"]
    # Everything else keeps Django's text queries: nothing the ORM runs is prepared.
    list(Survey.objects.filter(partnership=partnership))
    assert len(prepared_statements()) == len(before) + 1
