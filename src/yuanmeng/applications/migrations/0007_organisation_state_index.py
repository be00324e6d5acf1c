"""The organisation's own index replaced by (organisation, state): on PostgreSQL built and dropped CONCURRENTLY, so
that an upgrade does not hold the applications table against reads and writes while a million rows are indexed (as
AlterField would, re-creating the foreign key besides)."""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "applications_application"
OLD = "applications_application_organisation_id_cf3f9530"
NEW = "application_in_organisation"


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def add_new_drop_old(apps, schema_editor):
    how = _concurrently(schema_editor)
    schema_editor.execute(f'CREATE INDEX {how}IF NOT EXISTS "{NEW}" ON "{TABLE}" ("organisation_id", "state")')
    schema_editor.execute(f'DROP INDEX {how}IF EXISTS "{OLD}"')


def add_old_drop_new(apps, schema_editor):
    how = _concurrently(schema_editor)
    schema_editor.execute(f'CREATE INDEX {how}IF NOT EXISTS "{OLD}" ON "{TABLE}" ("organisation_id")')
    schema_editor.execute(f'DROP INDEX {how}IF EXISTS "{NEW}"')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('applications', '0006_drop_indexes_covered'),
        ('orgs', '0001_initial'),
        ('people', '0007_worker_name_upper_prefix'),
        ('policies', '0002_lottery_draws'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_new_drop_old, add_old_drop_new)],
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='organisation',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='orgs.organisation', verbose_name='enterprise union'),
                ),
                migrations.AddIndex(
                    model_name='application',
                    index=models.Index(fields=['organisation', 'state'], name='application_in_organisation'),
                ),
            ],
        ),
    ]
