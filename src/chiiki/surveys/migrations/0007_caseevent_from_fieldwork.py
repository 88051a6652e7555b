# Paradata (CaseEvent) move from the fieldwork app to surveys, so that fieldwork depends on surveys and never
# the other way round. Only Django's idea of which app owns the model changes: the table keeps its name
# (fieldwork_caseevent, created by fieldwork 0001), its indexes and its rows. fieldwork 0002 forgets the model.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_audit_log_append_only'),
        ('fieldwork', '0001_initial'),
        ('surveys', '0006_surveyexport_job'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CaseEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('letter_sent', '依頼状送付'), ('reminder_sent', '督促送付'), ('login', 'ログイン'), ('login_failed', 'ログイン失敗'), ('page_view', 'ページ表示'), ('saved', '一時保存'), ('submitted', '回答送信'), ('assisted_opened', '支援回答の開始'), ('visit', '調査員訪問')], max_length=20, verbose_name='種類')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='日時')),
                        ('device_class', models.CharField(choices=[('mobile', 'スマートフォン'), ('tablet', 'タブレット'), ('desktop', 'パソコン'), ('unknown', '不明')], default='unknown', max_length=10, verbose_name='端末')),
                        ('session', models.CharField(blank=True, help_text='hash prefix, never the key', max_length=16, verbose_name='セッション')),
                        ('page', models.CharField(blank=True, max_length=100, verbose_name='ページ')),
                        ('seconds', models.PositiveIntegerField(blank=True, null=True, verbose_name='ページの滞在秒数')),
                        ('mode', models.CharField(blank=True, max_length=12, verbose_name='回答方法')),
                        ('channel', models.CharField(blank=True, max_length=20, verbose_name='経路')),
                        ('outcome', models.CharField(blank=True, choices=[('absent', '不在'), ('refused', '拒否'), ('vacant', '空き家・居住なし'), ('answered_on_spot', 'その場で回答'), ('helped_online', 'インターネット回答を手伝った')], max_length=20, verbose_name='訪問結果')),
                        ('detail', models.JSONField(blank=True, default=dict, verbose_name='詳細')),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='surveys.surveycase')),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.municipality')),
                        ('survey', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='case_events', to='surveys.survey')),
                    ],
                    options={
                        'db_table': 'fieldwork_caseevent',
                        'ordering': ['at', 'id'],
                        'indexes': [models.Index(fields=['survey', 'kind', 'at'], name='fieldwork_c_survey__54d2b7_idx'), models.Index(fields=['case', 'kind'], name='fieldwork_c_case_id_2abf6b_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'visit'), _negated=True), models.Q(('outcome', ''), _negated=True), _connector='OR'), name='case_event_visit_has_outcome')],
                    },
                ),
            ],
        ),
    ]
