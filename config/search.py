"""Site search: a registry of searchable kinds and one engine that queries them.

Each app says what it makes findable in its own ``search.py`` (``governance/search.py``,
``surveys/search.py``, ...), calling :func:`register` with a :class:`Kind`; this module finds those
modules the first time a search runs (``autodiscover_modules("search")``), so a new app (the models
registry, say) becomes searchable by adding one file, without editing this one or the search page.

Visibility is the kind's business and is never optional: ``Kind.visible(user)`` returns the rows
``user`` may see (public datasets plus their own private ones, published surveys plus drafts they
own, comments that are not hidden, ...) and the engine only ever narrows that QuerySet.

On PostgreSQL the engine uses full-text search (``django.contrib.postgres.search``): a weighted
``SearchVector`` over the kind's fields, a ``websearch`` query and ``SearchRank`` for the order,
plus a case-insensitive match on the kind's short keys (slug, username) so that a partial name
finds its thing; when more than ``RANK_LIMIT`` rows of a kind match (a very common word),
ranking them costs a rank per row, so they are listed newest first. A kind whose table grows
without bound (proposals, comments) names a ``document`` column: a stored, generated ``tsvector``
of the same fields that :func:`stored_document_operations` adds in a migration, with a GIN index,
so PostgreSQL neither recomputes a vector per matching row to filter nor to rank (a word in each
of 20,000 comments took 0.15 s to count and 0.31 s to rank when every vector was computed per
query). Elsewhere (SQLite) every word must appear in one of the fields (``icontains``), newest
first. ``django.contrib.postgres`` need not be installed for this: the vector lookups are
registered when ``django.contrib.postgres.search`` is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Expression, F, Q, QuerySet

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
PER_KIND = 5  # results per kind on the grouped page
PAGE_SIZE = 20  # results per page when one kind is shown
RANK_LIMIT = 1000  # more matches than this are listed newest first, unranked (see _page_source)
STORED_RANK_LIMIT = 20_000  # the same for a kind with a stored document (ranking 20,000: 25 ms)


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    url: str
    snippet: str = ""
    meta: str = ""


@dataclass(frozen=True)
class Kind:
    """A searchable kind.

    ``visible(user)`` is the QuerySet of what ``user`` may find (select what ``result`` reads);
    ``fields`` are ``(field, weight)`` pairs, weight ``"A"`` to ``"D"`` as PostgreSQL ranks them;
    ``keys`` are short identifiers also matched as substrings; ``result(obj)`` renders a row;
    ``order`` is the SQLite fallback's ordering and the tie-break on PostgreSQL; ``document`` is
    the stored ``tsvector`` column holding ``fields``' vector on PostgreSQL (empty: computed per
    query, fine for small tables).
    """

    name: str
    label: str
    visible: Callable[[Any], QuerySet]
    fields: tuple[tuple[str, str], ...]
    result: Callable[[Any], Result]
    keys: tuple[str, ...] = ()
    order: tuple[str, ...] = ("-pk",)
    position: int = 100
    document: str = ""
    extra: dict = field(default_factory=dict)


_KINDS: dict[str, Kind] = {}
_discovered = False


def register(kind: Kind) -> Kind:
    """Make ``kind`` searchable (registering the same name again replaces it)."""
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[Kind]:
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("search")
        _discovered = True
    return sorted(_KINDS.values(), key=lambda k: (k.position, k.name))


def get_kind(name: str) -> Kind | None:
    return {k.name: k for k in kinds()}.get(name)


def clean_query(text: str | None) -> str:
    """The query as searched: whitespace collapsed, at most ``MAX_QUERY_LENGTH`` characters."""
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def matching(kind: Kind, query: str, user: Any, *, ranked: bool = True) -> QuerySet:
    """The rows of ``kind`` that ``user`` may see and that match ``query``: best first when
    ``ranked`` (PostgreSQL), else in the kind's own order."""
    qs = kind.visible(user)
    query = clean_query(query)
    if not query:
        return qs.none()
    if uses_full_text():
        from django.contrib.postgres.search import SearchQuery, SearchRank

        vector = StoredDocument(kind.document) if kind.document else computed_vector(kind.fields)
        sq = SearchQuery(query, search_type="websearch", config="english")
        keys = Q()
        for key in kind.keys:
            keys |= Q(**{f"{key}__icontains": query})
        # alias(), not annotate(): the vector is only filtered on, so a count never computes it
        # twice; the GIN index on the stored document serves this filter.
        qs = qs.alias(search_vector=vector).filter(Q(search_vector=sq) | keys)
        if not ranked:
            return qs.order_by(*kind.order)
        return qs.annotate(search_rank=SearchRank(vector, sq)).order_by(
            F("search_rank").desc(), *kind.order
        )
    words = query.split()[:MAX_WORDS]
    cond = Q()
    for word in words:
        any_field = Q()
        for name in (*(f for f, _w in kind.fields), *kind.keys):
            any_field |= Q(**{f"{name}__icontains": word})
        cond &= any_field
    return qs.filter(cond).order_by(*kind.order)


def computed_vector(fields: tuple[tuple[str, str], ...]):
    """``fields``' weighted English vector, computed in the query (PostgreSQL)."""
    from django.contrib.postgres.search import SearchVector

    vector = None
    for name, weight in fields:
        part = SearchVector(name, weight=weight, config="english")
        vector = part if vector is None else vector + part
    return vector


class StoredDocument(Expression):
    """A kind's stored ``tsvector`` column on the query's own table (the model does not declare
    it: PostgreSQL computes it, and SQLite has none)."""

    def __init__(self, column: str):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.column = column

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def document_sql(fields: tuple[tuple[str, str], ...]) -> str:
    """The SQL of ``fields``' weighted English vector, as stored in a document column."""
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, coalesce(\"{name}\", '')), '{weight}')"
        for name, weight in fields
    )


def stored_document_operations(table: str, column: str, fields, index: str) -> list:
    """Migration operations that give ``table`` (on PostgreSQL only) a stored ``column`` that
    PostgreSQL keeps equal to ``fields``' vector on every write, and a GIN index on it. A
    migration passes its own frozen copy of ``fields``; a test checks they match the kind's."""
    from django.db import migrations

    def add(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE "{table}" ADD COLUMN "{column}" tsvector '
                f"GENERATED ALWAYS AS ({document_sql(fields)}) STORED"
            )
            schema_editor.execute(f'CREATE INDEX "{index}" ON "{table}" USING gin ("{column}")')

    def remove(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')

    return [migrations.RunPython(add, remove, elidable=False)]


def _page_source(kind: Kind, query: str, user: Any) -> tuple[QuerySet, int]:
    """The rows to show and their count. Ranking reads (or computes) every match's vector, which
    an index cannot spare, so a word so common that more than ``RANK_LIMIT`` rows match
    (``STORED_RANK_LIMIT`` with a stored document) is listed in the kind's own order (newest
    first) instead of by rank. Two queries (one if none match)."""
    count = matching(kind, query, user, ranked=False).count()
    limit = STORED_RANK_LIMIT if kind.document else RANK_LIMIT
    return matching(kind, query, user, ranked=count <= limit), count


@dataclass
class Group:
    kind: Kind
    count: int
    results: list[Result]


def search_grouped(query: str, user: Any, *, per_kind: int = PER_KIND) -> list[Group]:
    """Every kind's first ``per_kind`` results and its count; kinds without a match are left out.
    Per kind: the count, then (if any matched) the first results; whatever the number of rows."""
    groups = []
    if not clean_query(query):
        return groups
    for kind in kinds():
        qs, count = _page_source(kind, query, user)
        if not count:
            continue
        groups.append(Group(kind, count, [kind.result(r) for r in qs[:per_kind]]))
    return groups


def search_kind(query: str, user: Any, kind: Kind, *, page: Any = 1, page_size: int = PAGE_SIZE):
    """One page (a Django ``Page``, past-the-end pages clamped to the last) of ``kind``'s results,
    its ``object_list`` rendered as ``Result``s. Two queries: the count and the page."""
    from django.core.paginator import Paginator

    qs, count = _page_source(kind, query, user)
    paginator = Paginator(qs, page_size)
    paginator.count = count
    page_obj = paginator.get_page(page)
    page_obj.object_list = [kind.result(r) for r in page_obj.object_list]
    return page_obj
