# Upload becomes a core Job (issue 11): written by hand like registry 0002, so the upload time is kept.

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('opendata', '0001_initial'),
    ]

    operations = [
        # The upload time becomes the job's queued time.
        migrations.RenameField('upload', 'uploaded_at', 'queued_at'),
        migrations.AlterModelOptions(
            name='upload',
            options={'ordering': ['-queued_at']},
        ),
        migrations.AddField(
            model_name='upload',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='試行回数'),
        ),
        migrations.AddField(
            model_name='upload',
            name='finished_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='完了日時'),
        ),
        migrations.AddField(
            model_name='upload',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='upload',
            name='started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='開始日時'),
        ),
        migrations.AddField(
            model_name='upload',
            name='worker',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name='upload',
            name='message',
            field=models.TextField(blank=True, verbose_name='結果'),
        ),
        migrations.AlterField(
            model_name='upload',
            name='queued_at',
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name='受付日時'),
        ),
        migrations.AlterField(
            model_name='upload',
            name='status',
            field=models.CharField(choices=[('queued', '待機中'), ('running', '処理中'), ('done', '完了'), ('failed', '失敗')], db_index=True, default='queued', max_length=10, verbose_name='状態'),
        ),
    ]
