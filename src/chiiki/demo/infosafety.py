"""Demo content of infosafety for 緑川市: a small disaster day (a typhoon and a flooded river), the rumours
residents reported, two fact-checks published by two editors, and screened recruitment posts.

Everything goes through the app's actions, as the editors would do it on the pages. Loaded once: a town that
already has claims is left as it is. All posts and names are fictional.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.infosafety import actions
from chiiki.infosafety.engine import PostRow, Screener, default_signal_set
from chiiki.infosafety.models import Claim

REPORTS: tuple[tuple[str, str, str], ...] = (
    ("台風で緑川の堤防が決壊した！本町はもう水没してるらしい", "https://x.example/midori/1001", "X"),
    ("【拡散希望】緑川の堤防が決壊、本町が水没しているそうです", "https://x.example/midori/1002", "X"),
    ("緑川の堤防が決壊したって本当？本町に親がいるんだけど", "", "LINE"),
    (
        "地震じゃないけど、大雨で動物園からライオンが逃げたって。外に出ないで",
        "https://x.example/midori/1003",
        "X",
    ),
    ("動物園からライオンが逃げたらしい！写真あり", "https://x.example/midori/1004", "Instagram"),
    ("緑川小学校の避難所はもう満員で入れないと聞いた", "", "知人から"),
    ("避難所の緑川小学校が満員で入れないらしい", "https://x.example/midori/1005", "X"),
    ("給水車は明日の朝9時に駅前に来るそうです", "", "LINE"),
    (
        "市が被災者に1人10万円を配るので、口座番号をこのフォームに入力して",
        "https://x.example/midori/1006",
        "SMS",
    ),
)
CHECKS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "緑川の堤防",
        "jfc",
        "false",
        "緑川の堤防は決壊していません。河川の管理者が午前6時と正午に巡回して確認しています。"
        "本町の一部で道路が冠水しましたが、住宅地の浸水は確認されていません。",
        "緑川市 災害対策本部 第3報",
    ),
    (
        "ライオン",
        "jfc",
        "false",
        "緑川市の動物園にライオンはいません。市内の動物園から動物が逃げたという連絡はありません。"
        "2016年の熊本地震のときにも同じ内容の投稿が広がりました。",
        "緑川市動物園からのお知らせ",
    ),
)
SCREENED = (
    "【急募】ホワイト案件！荷物を受け取るだけで日給5万 即日即金 詳細はテレグラムで",
    "UD案件 高校生OK 身分証の写真を送ってください 連絡はシグナルのみ",
    "緑川駅前のカフェ ホールスタッフ募集 時給1,050円 交通費支給 学生歓迎",
    "配送ドライバー募集 軽バンで宅配 日払い可 要普通免許 株式会社みどり便",
    "「闇バイト」に応募した少年が逮捕された。県警は応募しないよう呼びかけている",
    "書類を届けるだけの簡単なお仕事 1回3万〜 気軽にDMください",
)


def sample_screenshot(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG image made here (the demo's stand-in for a resident's screenshot)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def sample_pdf(title: str) -> bytes:
    """A one-page PDF made here with reportlab (the demo's stand-in for an archived copy of a source)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setFont("HeiseiKakuGo-W5", 14)
    page.drawString(72, 770, title)
    page.drawString(72, 740, "(デモ用に作った写しです)")
    page.save()
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class InfosafetyDemoSummary:
    claims: int
    published: int
    screened: int


def load_infosafety_demo(municipality: Municipality, first: User, second: User) -> InfosafetyDemoSummary:
    """Load the disaster-day scenario once; `first` drafts the verdicts and `second` approves them."""
    if Claim.objects.filter(municipality=municipality).exists():
        return InfosafetyDemoSummary(0, 0, 0)
    resident = Actor.system("resident (demo)")
    seen = timezone.now() - timedelta(hours=len(REPORTS))
    actions.start_watch_mode(
        municipality,
        kind="disaster",
        title="台風14号",
        starts_at=seen - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(days=2),
        by=Actor.for_user(first),
    )
    for number, (text, link, where) in enumerate(REPORTS):
        intake = actions.Intake(
            text=text,
            link=link,
            where_seen=where,
            seen_at=seen + timedelta(minutes=40 * number),
            screenshot=sample_screenshot() if number == 0 else b"",
        )
        actions.submit_report(municipality, intake, by=resident)
    published = 0
    for keyword, scale, rating, explanation, source in CHECKS:
        claim = Claim.objects.filter(municipality=municipality, summary__contains=keyword).first()
        if claim is None:
            continue
        actions.assign_claim(claim, to=first, by=Actor.for_user(first))
        actions.add_source(
            claim,
            title=source,
            url=f"https://city.example.lg.jp/midorikawa/bousai/{claim.pk}",
            published_on=timezone.localdate(),
            note="",
            archive=sample_pdf(source) if published == 0 else b"",
            by=Actor.for_user(first),
        )
        actions.draft_verdict(
            claim, scale=scale, rating=rating, explanation=explanation, by=Actor.for_user(first)
        )
        actions.publish_verdict(claim, by=Actor.for_user(second))
        published += 1
    screener = Screener(default_signal_set())
    for number, text in enumerate(SCREENED, start=1):
        row = PostRow(number, text, f"https://x.example/jobs/{number}")
        post = actions.screen_post(municipality, row, screener.screen(text), by=Actor.for_user(first))
        if number == 1:
            # with a made-up screenshot as the capture of the post (the walk downloads it and the report's ZIP)
            actions.draft_takedown(
                post, recipient="ihc", by=Actor.for_user(first), capture=sample_screenshot(32, 24)
            )
    _screen_a_file(municipality, first)
    return InfosafetyDemoSummary(
        Claim.objects.filter(municipality=municipality).count(), published, len(SCREENED)
    )


def _screen_a_file(municipality: Municipality, editor: User) -> None:
    """A JSON Lines file of the same posts screened in bulk, in this process (as the worker would)."""
    from chiiki.infosafety.tasks import screen_batch

    lines = [
        json.dumps(
            {"id": str(1000 + n), "text": text, "url": f"https://x.example/jobs/{n}"}, ensure_ascii=False
        )
        for n, text in enumerate(SCREENED, start=1)
    ]
    upload = SimpleUploadedFile("demo-posts.jsonl", "\n".join(lines).encode("utf-8"))
    batch = actions.request_bulk_screening(municipality, upload, by=Actor.for_user(editor))
    screen_batch.call(batch.pk)


def corpus_lines() -> list[dict[str, object]]:
    """The shipped synthetic corpus (demo/data/infosafety-posts.jsonl) as dictionaries."""
    text = resources.files("chiiki.demo").joinpath("data/infosafety-posts.jsonl").read_text("utf-8")
    return [json.loads(line) for line in text.splitlines()]
