"""Background work of the cyber app, run by `chiiki worker` on the long queue."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from chiiki.core.acting import Actor
from chiiki.core.jobs import JobFailed, run_job
from chiiki.core.schedule import book_once
from chiiki.cyber import engine
from chiiki.cyber.actions import (
    escalate_overdue,
    load_advisories,
    load_epss,
    load_kev,
    mail_new_alerts,
    request_source_loads,
)
from chiiki.cyber.models import FeedImport
from chiiki.cyber.sources import configured_sources, source_urls

SCHEDULE_ACTOR = "chiiki cyber schedule"


MAIL_ACTOR = "chiiki cyber mail"


@task()
def mail_alerts() -> int:
    """E-mail new alerts to the bodies' contacts and escalate overdue ones to the managers and the prefecture,
    for every operator; then book the next run (every hour). Returns how many e-mails' worth of alerts."""
    from chiiki.core.models import Municipality

    schedule_mail()
    by = Actor.system(MAIL_ACTOR)
    done = 0
    today = timezone.localdate()
    for municipality in Municipality.objects.filter(cyber_bodies__isnull=False).distinct():
        done += mail_new_alerts(municipality, by=by) + escalate_overdue(municipality, today=today, by=by)
    return done


def schedule_mail(now: datetime | None = None) -> datetime | None:
    """Book the next mail run in an hour, unless one waits (the worker starts the chain)."""
    return book_once(mail_alerts, (now or timezone.now()) + timedelta(hours=1))


def start_mail_schedule() -> datetime | None:
    """When the worker starts: a mail run at once unless one is booked."""
    return book_once(mail_alerts, timezone.now())


def fetch_timeout() -> float:
    """Seconds a feed URL may take to answer (CHIIKI_CYBER_FETCH_SECONDS, 60 by default)."""
    return float(getattr(settings, "CHIIKI_CYBER_FETCH_SECONDS", 60))


@task()
def load_sources() -> int:
    """Queue a load of every configured source (CHIIKI_CYBER_SOURCES), then book the next run; returns how many
    loads were queued. Each source is its own job: one that fails or times out is recorded on the feeds page
    (and in the audit log when the entry itself is wrong) and the next source goes on."""
    # Book the next run first: a failure here must not break the chain.
    schedule_sources()
    return request_source_loads(configured_sources(), by=Actor.system(SCHEDULE_ACTOR))


def schedule_sources(now: datetime | None = None) -> datetime | None:
    """Book the next run CHIIKI_CYBER_SOURCE_HOURS from now (6 by default), unless one waits or no source is
    configured."""
    if not configured_sources():
        return None
    hours = float(getattr(settings, "CHIIKI_CYBER_SOURCE_HOURS", 6))
    return book_once(load_sources, (now or timezone.now()) + timedelta(hours=hours))


def start_source_schedule() -> datetime | None:
    """When the worker starts: the first run at once when none is booked (then every few hours)."""
    if not configured_sources():
        return None
    return book_once(load_sources, timezone.now())


@task()
def import_feed(feed_id: int) -> str:
    """Load one file of advisories (uploaded or fetched) and re-match every body; the job records the outcome."""
    return run_job(FeedImport, feed_id, _import)


def _import(feed: FeedImport) -> str:
    data = _fetch(feed.url) if feed.url else _read(feed)
    if feed.source_format == FeedImport.Format.KEV:
        return _import_kev(feed, data)
    if feed.source_format == FeedImport.Format.EPSS:
        return _import_epss(feed, data)
    if (
        feed.source_format == FeedImport.Format.CSAF
        and engine.csaf_json_kind(data) in engine.CSAF_DISTRIBUTION_KINDS
    ):
        return _import_csaf_distribution(feed, data)
    pages = ""
    try:
        if feed.source_format == FeedImport.Format.JVN and feed.url.startswith(("http://", "https://")):
            advisories, pages = _jvn_pages(feed, data)
        else:
            advisories = engine.read_advisories(
                data, feed.source_format, document=feed.original_name or "feed"
            )
    except engine.AdvisoryError as error:
        raise JobFailed(f"読み込みを中止しました(何も取り込んでいません)。{error}") from error
    summary = load_advisories(
        feed.municipality,
        advisories,
        default_tlp=feed.tlp,
        provenance=feed.url or feed.original_name,
        by=Actor.for_user(feed.requested_by, label="" if feed.requested_by else "chiiki cyber feed"),
        feed=feed,
    )
    return (
        f"{pages}新規 {summary.added} 件・更新 {summary.updated} 件・変更なし {summary.unchanged} 件を読み込み、"
        f"新しい通知を {summary.alerts} 件作りました"
    )


def max_jvn_pages() -> int:
    """How many pages of a MyJVN answer one load fetches at most (CHIIKI_CYBER_JVN_PAGES, 20: 1,000 overviews)."""
    return int(getattr(settings, "CHIIKI_CYBER_JVN_PAGES", 20))


def _jvn_pages(feed: FeedImport, data: bytes) -> tuple[list[engine.Advisory], str]:
    """Every page of a MyJVN API answer (startItem moved on by the Status element's totalResRet until totalRes,
    at most `max_jvn_pages()`), each fetched like the first; any page that fails refuses the whole load."""
    name = feed.original_name or "JVN"
    url, page = feed.url, 1
    advisories = {a.identifier: a for a in engine.read_advisories(data, "jvn", document=name)}
    while (following := engine.jvn_next_page(data, url, document=name)) is not None:
        if page >= max_jvn_pages():
            return list(advisories.values()), (
                f"MyJVN の {page} ページ(上限 CHIIKI_CYBER_JVN_PAGES)まで読み、続きは次回に回しました。"
            )
        url, page = following, page + 1
        data = _get(url)
        for advisory in engine.read_advisories(data, "jvn", document=f"{name} ({page} ページ目)"):
            advisories[advisory.identifier] = advisory
    return list(advisories.values()), (f"MyJVN の {page} ページを読みました。" if page > 1 else "")


def max_provider_documents() -> int:
    """How many documents one CSAF provider load fetches at most (CHIIKI_CYBER_PROVIDER_DOCUMENTS, 2000)."""
    return int(getattr(settings, "CHIIKI_CYBER_PROVIDER_DOCUMENTS", 2000))


def _import_csaf_distribution(feed: FeedImport, data: bytes) -> str:
    """A CSAF provider-metadata.json or ROLIE feed: fetch every document it lists (same host as the configured
    source only, same timeouts and size limit), read each on its own, and load those that pass; a document that
    fails to fetch or to validate is named in the job's message and the audit record, the others are loaded."""
    if not feed.url:
        raise JobFailed(
            "provider-metadata.json と ROLIE フィードは、設定された取得元(CHIIKI_CYBER_SOURCES・"
            "CHIIKI_CYBER_FEED_URLS)からだけ読み込めます。ファイルでは CSAF 文書そのものを指定してください"
        )
    name = feed.original_name or "provider-metadata.json"
    try:
        if engine.csaf_json_kind(data) == engine.CSAF_DISTRIBUTION_KINDS[0]:
            distributions = engine.read_provider_metadata(data, url=feed.url, document=name)
        else:
            distributions = [engine.Distribution("rolie", feed.url)]
    except engine.AdvisoryError as error:
        raise JobFailed(f"読み込みを中止しました(何も取り込んでいません)。{error}") from error
    refused: list[str] = []
    links = _csaf_links(feed, data, distributions, refused)
    advisories = _csaf_documents(feed, links, refused)
    if not advisories:
        problems = " / ".join(refused[:10]) or "文書が一つも載っていません"
        raise JobFailed(f"読み込める CSAF 文書がありませんでした(何も取り込んでいません)。{problems}")
    summary = load_advisories(
        feed.municipality,
        list(advisories.values()),
        default_tlp=feed.tlp,
        provenance=feed.url,
        by=Actor.for_user(feed.requested_by, label="" if feed.requested_by else "chiiki cyber feed"),
        feed=feed,
        refused=refused,
    )
    message = (
        f"CSAF 文書 {len(advisories)} 件: 新規 {summary.added} 件・更新 {summary.updated} 件・変更なし "
        f"{summary.unchanged} 件を読み込み、新しい通知を {summary.alerts} 件作りました"
    )
    if refused:
        message += f"。読み込まなかったもの {len(refused)} 件: " + " / ".join(refused[:10])
    return message[:4000]


def _csaf_links(
    feed: FeedImport, data: bytes, distributions: list[engine.Distribution], refused: list[str]
) -> list[tuple[engine.DocumentLink, str | None]]:
    """Every document the distributions list (each once, with its feed's TLP), at most the configured number."""
    links: dict[str, tuple[engine.DocumentLink, str | None]] = {}
    for distribution in distributions:
        try:
            found = _distribution_links(feed, distribution, data if distribution.url == feed.url else None)
        except (JobFailed, engine.AdvisoryError) as error:
            refused.append(f"{distribution.url}: {error}")
            continue
        for link in found:
            links.setdefault(link.url, (link, distribution.tlp))
    limit = max_provider_documents()
    if len(links) > limit:
        refused.append(f"文書が {len(links)} 件あり、上限 {limit} 件を超えた分は読み込んでいません")
    return list(links.values())[:limit]


def _csaf_documents(
    feed: FeedImport, links: list[tuple[engine.DocumentLink, str | None]], refused: list[str]
) -> dict[str, engine.Advisory]:
    """Fetch and read each document on its own; one that fails is named in `refused` and the others go on."""
    advisories: dict[str, engine.Advisory] = {}
    for link, tlp in links:
        try:
            if not engine.within(feed.url, link.url):
                raise JobFailed(f"取得元 {link.url} は {feed.url} と同じ場所にないため取得しません")
            for advisory in engine.read_advisories(_get(link.url), "csaf", document=link.name):
                advisories[advisory.identifier] = replace(advisory, tlp=advisory.tlp or tlp)
        except engine.AdvisoryError as error:
            refused.append(str(error))
        except JobFailed as error:
            refused.append(f"{link.name}: {error}")
    return advisories


def _distribution_links(
    feed: FeedImport, distribution: engine.Distribution, data: bytes | None
) -> list[engine.DocumentLink]:
    if not engine.within(feed.url, distribution.url):
        raise JobFailed(f"{feed.url} と同じ場所にないため取得しません")
    if distribution.kind == "directory":
        index = distribution.url + "index.txt"
        return engine.read_directory_index(_get(index), url=index, document=index)
    body = data if data is not None else _get(distribution.url)
    return engine.read_rolie_feed(body, url=distribution.url, document=distribution.url)


def _import_epss(feed: FeedImport, data: bytes) -> str:
    try:
        score_date, scores = engine.read_epss(data, document=feed.original_name or "EPSS")
    except engine.AdvisoryError as error:
        raise JobFailed(f"読み込みを中止しました(何も取り込んでいません)。{error}") from error
    by = Actor.for_user(feed.requested_by, label="" if feed.requested_by else "chiiki cyber feed")
    raised = load_epss(feed.municipality, score_date, scores, by=by, feed=feed)
    return f"EPSS {len(scores)} 件({score_date})を読み込みました。悪用の見込みが高い未完了の通知: {raised} 件"


def _import_kev(feed: FeedImport, data: bytes) -> str:
    try:
        version, entries = engine.read_kev(data, document=feed.original_name or "KEV")
    except engine.AdvisoryError as error:
        raise JobFailed(f"読み込みを中止しました(何も取り込んでいません)。{error}") from error
    marked = load_kev(
        feed.municipality, version, entries, feed=feed,
        by=Actor.for_user(feed.requested_by, label="" if feed.requested_by else "chiiki cyber feed"),
    )  # fmt: skip
    return f"KEV カタログ {version}: {len(entries)} 件を読み込みました。悪用が確認された未完了の通知は {marked} 件です"


def _read(feed: FeedImport) -> bytes:
    with feed.file.open("rb") as handle:
        return bytes(handle.read())


def _fetch(url: str) -> bytes:
    if url not in settings.CHIIKI_CYBER_FEED_URLS and url not in source_urls():
        raise JobFailed(f"取得元 {url} は設定(CHIIKI_CYBER_FEED_URLS・CHIIKI_CYBER_SOURCES)にありません")
    return _get(url)


def _get(url: str) -> bytes:
    """Fetch a URL the caller has allowed, within CHIIKI_CYBER_FETCH_SECONDS and the upload size limit."""
    limit = settings.CHIIKI_MAX_UPLOAD_BYTES
    timeout = fetch_timeout()
    try:
        # Only URLs the operator configured (http(s), or file: for a path in CHIIKI_CYBER_SOURCES).
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            data = bytes(response.read(limit + 1))
    except TimeoutError as error:
        raise JobFailed(f"取得元 {url} が {timeout:g} 秒以内に応答しませんでした") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise JobFailed(f"取得元 {url} が {timeout:g} 秒以内に応答しませんでした") from error
        raise JobFailed(f"取得元 {url} から取得できませんでした: {error}") from error
    except OSError as error:
        raise JobFailed(f"取得元 {url} から取得できませんでした: {error}") from error
    if len(data) > limit:
        raise JobFailed(f"取得元 {url} のファイルが大きすぎます(上限 {limit // 1024 // 1024} MB)")
    return data
