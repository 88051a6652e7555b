# An answer export becomes a core Job (chiiki.core.models.Job): it gains the runner's bookkeeping (attempts,
# start, heartbeat, worker) and the time it was asked for becomes the job's queued time. Existing rows keep
# their status ("queued", "done" and "failed" are job statuses too), file, message and times.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0005_surveyexport'),
    ]

    operations = [
        migrations.RenameField('surveyexport', 'requested_at', 'queued_at'),
        migrations.AlterModelOptions(
            name='surveyexport',
            options={'ordering': ['-queued_at', '-pk'], 'verbose_name': '回答データの書き出し'},
        ),
        migrations.AddField(
            model_name='surveyexport',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='試行回数'),
        ),
        migrations.AddField(
            model_name='surveyexport',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='surveyexport',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='開始日時'),
        ),
        migrations.AddField(
            model_name='surveyexport',
            name='worker',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name='surveyexport',
            name='queued_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='受付日時'),
        ),
        migrations.AlterField(
            model_name='surveyexport',
            name='message',
            field=models.TextField(blank=True, verbose_name='結果'),
        ),
        migrations.AlterField(
            model_name='surveyexport',
            name='status',
            field=models.CharField(choices=[('queued', '待機中'), ('running', '処理中'), ('done', '完了'), ('failed', '失敗')], db_index=True, default='queued', max_length=10, verbose_name='状態'),
        ),
    ]
