# CaseEvent now belongs to the surveys app (surveys 0007 took it over with its table, fieldwork_caseevent):
# forget it here without touching the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('fieldwork', '0001_initial'),
        ('surveys', '0007_caseevent_from_fieldwork'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='CaseEvent')],
        ),
    ]
