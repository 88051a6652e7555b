"""Side-job contracts, work entries and 管理モデル agreements now belong to the `sidejob` app.

Only Django's record of which app owns the models changes: the tables keep their names (the sidejob models set
`db_table`) and their rows, so nothing is copied. `sidejob.0001_initial` takes the models over after this.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("talent", "0002_exposure_managementagreement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ManagementAgreement"),
                migrations.DeleteModel(name="WorkEntry"),
                migrations.DeleteModel(name="SideJobContract"),
            ],
            database_operations=[],
        ),
    ]
