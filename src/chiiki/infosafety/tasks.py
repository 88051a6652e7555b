"""Background work of infosafety, run by `chiiki worker` on the long queue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.infosafety import line
from chiiki.infosafety.actions import note_import_total, record_batch_results, record_import
from chiiki.infosafety.engine import PostFileError, Screener, read_posts
from chiiki.infosafety.models import LineChannel, LineMessage, PostImport, ScreeningBatch
from chiiki.infosafety.queries import current_signal_set


@task()
def screen_batch(batch_id: int) -> str:
    """Screen every post of an uploaded file; the batch records the outcome either way."""
    return run_job(ScreeningBatch, batch_id, _screen)


def _screen(batch: ScreeningBatch) -> str:
    try:
        with batch.file.open("rb") as handle:
            rows = read_posts(handle.read(), name=batch.original_name)
    except PostFileError as error:
        raise JobFailed(str(error)) from error
    signal_set = current_signal_set(batch.municipality)
    screener = Screener(signal_set)
    results = list(zip(rows, screener.screen_many(row.text for row in rows), strict=True))
    done = record_batch_results(
        batch, results, version=signal_set.version, by=Actor.for_user(batch.uploaded_by, label="")
    )
    return (
        f"{done.total} 件を確認しました。疑いが強いもの {done.flagged} 件、要注意 {done.watched} 件"
        f" (手がかりの版 {done.signal_version})"
    )


@task()
def import_file(job_id: int) -> str:
    """Import a large file of posts into the desk; a bad line or link fails the job naming it, nothing stored."""
    return run_job(PostImport, job_id, _import)


def _import(job: PostImport) -> str:
    try:
        with job.file.open("rb") as handle:
            rows = read_posts(handle.read(), name=job.original_name)
    except PostFileError as error:
        raise JobFailed(str(error)) from error
    note_import_total(job, len(rows))  # progress: the import page shows the count
    try:
        result = record_import(job, rows, by=Actor.for_user(job.uploaded_by, label=""))
    except ValidationError as error:
        raise JobFailed(" ".join(error.messages)) from error
    return (
        f"{result.reports} 件を取り込みました(新しいうわさ {result.new_claims} 件、既存のうわさに追加 "
        f"{result.joined_claims} 件、取り込み済みで飛ばした投稿 {result.skipped} 件)"
    )


@task()
def send_line_message(message_id: int) -> str:
    """Send one LINE message; a refusal is retried (a reply whose token expired goes out as a push)."""
    return run_job(LineMessage, message_id, _send_line)


def _send_line(message: LineMessage) -> str:
    channel = LineChannel.objects.filter(municipality=message.municipality, enabled=True).first()
    if channel is None:
        raise JobFailed("LINE の公式アカウントが設定されていないか、止められています")
    if message.reply_token and message.attempts == 1:
        line.reply(channel.api_base, channel.access_token, message.reply_token, message.text)
        return "返信しました"
    if not message.to:
        raise JobFailed("送り先 (userId) がないため送れません")
    line.push(channel.api_base, channel.access_token, message.to, message.text)
    return "プッシュメッセージで送りました"
