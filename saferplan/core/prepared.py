"""A query written with the ORM, compiled to SQL once per database connection and then run with
new values.

For the few lookups every public page makes (the survey from its address, the session from its
cookie): turning a queryset into SQL takes Django about half a millisecond of CPU, several times
what PostgreSQL takes to answer it. The SQL depends only on the code and the database, never on
data, so this process keeps it, one copy a database alias; the values and the rows are those of
each call, and the rows become model instances exactly as a queryset
would make them (converters, ``from_db``, ``select_related`` instances).

On PostgreSQL the statement is also prepared on the server, once per connection
(saferplan/ops/postgresql), so PostgreSQL neither parses nor plans it again.

Only text values compared for equality can be passed in (a slug, a session key): they reach the
database unchanged, so the compiled SQL with a sample in their place is the same SQL. Anything
else a queryset filters on is written into the builder.
"""
from __future__ import annotations

from typing import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


def statement_cursor(connection):
    """A cursor for SQL that never changes: prepared on the server where the backend can
    (saferplan.ops.postgresql, what production and the tests run), a plain one elsewhere."""
    prepared = getattr(connection, "prepared_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


class _Compiled:
    def __init__(self, queryset: QuerySet, samples: dict[str, str], connection):
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = {}
        for name, sample in samples.items():
            found = [i for i, p in enumerate(self.params) if p == sample]
            if len(found) != 1:
                raise ValueError(f"prepared query: the value {name!r} is not one parameter of the compiled SQL")
            self.slots[name] = found[0]
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        self.model = klass_info["model"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start:self.end]]
        self.populators = get_related_populators(klass_info, select, connection.alias)
        self.converters = list(compiler.get_converters([column[0] for column in select]).items())


class PreparedQuery:
    """``build(**values)`` returns the queryset; ``first(**values)`` runs its SQL with the values.

    >>> by_key = PreparedQuery(lambda key: Session.objects.filter(session_key=key)[:1], "key")
    >>> by_key.first(key=request_key)
    """

    def __init__(self, build: Callable[..., QuerySet], *names: str):
        self.build = build
        self.names = names
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, connection) -> _Compiled:
        compiled = self._compiled.get(connection.alias)
        if compiled is None:
            # Samples no real value equals (a NUL byte cannot be stored in PostgreSQL text).
            samples = {name: f"\x00prepared:{name}" for name in self.names}
            compiled = self._compiled[connection.alias] = _Compiled(self.build(**samples), samples, connection)
        return compiled

    def first(self, using: str = "default", **values: str):
        """The first row as a model instance (its ``select_related`` ones attached), or None."""
        if set(values) != set(self.names):
            raise TypeError(f"prepared query takes {', '.join(self.names)}, given {', '.join(values)}")
        connection = connections[using]
        compiled = self._for(connection)
        params = list(compiled.params)
        for name, value in values.items():
            if not isinstance(value, str):
                raise TypeError(f"prepared query: {name} must be text, not {type(value).__name__}")
            params[compiled.slots[name]] = value
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for index, (converters, expression) in compiled.converters:
            value = row[index]
            for converter in converters:
                value = converter(value, expression, connection)
            row[index] = value
        instance = compiled.model.from_db(using, compiled.init_list, row[compiled.start:compiled.end])
        for populator in compiled.populators:
            populator.populate(row, instance)
        return instance
