"""Stored search documents for proposals and comments (PostgreSQL only; see config/search.py).

Migration 0003's expression indexes let PostgreSQL find the matching rows, but it still computed
each matching row's vector to recheck and rank it: a word in every one of 20,000 comments took
0.15 s to count and 0.31 s to rank. A generated column holds the vector once per write, and its
GIN index replaces the expression index. The fields and weights are frozen here; a test checks
that they are still the ones governance/search.py registers.
"""

from django.db import migrations

from config.search import stored_document_operations

PROPOSAL_FIELDS = (("title", "A"), ("summary", "B"), ("body", "C"))
COMMENT_FIELDS = (("body", "B"),)


def drop_expression_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "proposal_search"')
        schema_editor.execute('DROP INDEX IF EXISTS "comment_search"')


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_merge_20261202_0551")]

    operations = [
        # Going back re-creates nothing: the expression indexes were an optimisation only.
        migrations.RunPython(drop_expression_indexes, migrations.RunPython.noop, elidable=False),
        *stored_document_operations(
            "governance_proposal", "search_document", PROPOSAL_FIELDS, "proposal_search_document"
        ),
        *stored_document_operations(
            "governance_comment", "search_document", COMMENT_FIELDS, "comment_search_document"
        ),
    ]
