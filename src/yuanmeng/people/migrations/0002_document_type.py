from django.db import migrations, models

# Residence permits (810000 Hong Kong, 820000 Macao, 830000 Taiwan) and foreign permanent resident cards (9…)
# registered before the document type existed: the masked copy keeps the first four digits, which tell them.
MARK_EXISTING = """
    UPDATE people_worker SET document_type = CASE
        WHEN id_number_masked LIKE '9%' THEN 'foreign_pr' ELSE 'hmt_permit' END
    WHERE id_number_masked LIKE '9%' OR id_number_masked LIKE '8100%' OR id_number_masked LIKE '8200%'
       OR id_number_masked LIKE '8300%'
"""


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='worker',
            name='document_type',
            field=models.CharField(choices=[('resident_id', 'Resident identity card'), ('hmt_permit', 'Residence permit for Hong Kong, Macao and Taiwan residents'), ('foreign_pr', 'Foreign permanent resident ID card')], default='resident_id', max_length=16, verbose_name='document type'),
        ),
        migrations.RunSQL(MARK_EXISTING, migrations.RunSQL.noop),
    ]
