# Search columns for Chinese bigram search (see docs/duties.md, "Search").

import logging

from django.db import DatabaseError, migrations, models, transaction

logger = logging.getLogger(__name__)

TRIGRAM_INDEXES = (
    ("duties_dutyitem_search_trgm", "duties_dutyitem"),
    ("duties_task_search_trgm", "duties_task"),
)


def fill_search_text(apps, schema_editor):
    from qingdan.duties.textsearch import index_text

    DutyItem = apps.get_model("duties", "DutyItem")
    Task = apps.get_model("duties", "Task")
    for item in DutyItem.objects.only("id", "code", "clause", "text").iterator():
        DutyItem.objects.filter(pk=item.pk).update(
            search_text=index_text(item.code, item.clause, item.text)
        )
    for task in Task.objects.only("id", "code", "name", "description").iterator():
        Task.objects.filter(pk=task.pk).update(
            search_text=index_text(task.code, task.name, task.description)
        )


def create_trigram_indexes(apps, schema_editor):
    """On PostgreSQL, index the bigram column with pg_trgm (a trusted extension since PG 13).

    Without the extension (no privilege) search still works, by sequential scan.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        logger.warning("pg_trgm is not available: duty search will scan instead of using an index")
        return
    for name, table in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("duties", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dutyitem",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索文本"),
        ),
        migrations.AddField(
            model_name="task",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索文本"),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
