"""SNS safety (seed §4(2), §4(3)): the fact-check desk for rumours, and screening of recruitment posts (闇バイト)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.links import validate_link
from chiiki.core.models import Job, Municipality
from chiiki.infosafety.archives import CAPTURE_TYPES
from chiiki.infosafety.engine import SCALES

MAX_TEXT = 2000
MAX_LINK = 500


class Claim(models.Model):
    """A rumour as editors word it: reports saying the same thing are grouped here and get one fact-check."""

    class Status(models.TextChoices):
        NEW = "new", _("受付")
        CHECKING = "checking", _("確認中")
        DRAFTED = "drafted", _("判定案あり(承認待ち)")
        PUBLISHED = "published", _("公開済み")
        DECLINED = "declined", _("対象外")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="claims")
    summary = models.CharField(_("うわさの内容"), max_length=300)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scale = models.CharField(_("判定の尺度"), max_length=10, default="jfc")
    rating = models.CharField(_("判定"), max_length=20, blank=True)
    explanation = models.TextField(_("説明"), blank=True)
    drafted_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)
    first_reported_at = models.DateTimeField(_("最初の報告"), default=timezone.now)
    declined_reason = models.CharField(_("対象外の理由"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-first_reported_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return self.summary[:60]

    @property
    def rating_label(self) -> str:
        """The verdict as its scale words it (正確, 誤り, ...); empty before a verdict is drafted."""
        if not self.rating:
            return ""
        try:
            return SCALES[self.scale].rating(self.rating).label
        except KeyError:
            return self.rating


class Report(models.Model):
    """What one resident or staff member saw: kept as given, joined to a claim."""

    class Channel(models.TextChoices):
        WEB = "web", _("ウェブの窓口")
        STAFF = "staff", _("職員の入力")
        API = "api", _("API")
        LINE = "line", _("LINE")
        IMPORT = "import", _("ファイルの取り込み")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="rumour_reports")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="reports")
    text = models.TextField(_("見た内容"), max_length=MAX_TEXT)
    link = models.CharField(_("リンク"), max_length=MAX_LINK, blank=True, validators=[validate_link])
    where_seen = models.CharField(_("見た場所"), max_length=200, blank=True)
    seen_at = models.DateTimeField(_("見た日時"), null=True, blank=True)
    contact = models.CharField(_("連絡先"), max_length=200, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    post_id = models.CharField(max_length=300, blank=True)  # an imported post's id (X) or at:// URI (Bluesky)
    similarity = models.FloatField(null=True, blank=True)  # to the claim's earlier reports when it joined one
    watch_hit = models.CharField(
        _("注意リストに一致"), max_length=200, blank=True
    )  # the watch pattern matched
    received_at = models.DateTimeField(_("受付日時"), default=timezone.now)
    # a screenshot sent with the report: on the configured storage, shown to editors only (an audited read)
    screenshot = models.FileField(
        _("スクリーンショット"), upload_to="infosafety-screenshots/%Y/%m/", max_length=300, blank=True
    )
    screenshot_type = models.CharField(max_length=20, blank=True)  # image/png … read from the file's bytes

    class Meta:
        ordering: ClassVar[list[str]] = ["-received_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ReportBand(models.Model):
    """A report's bucket in one MinHash/LSH band (`engine.lsh_keys`): a new report is compared with the reports
    sharing a bucket, however old, besides the latest ones."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField()

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["municipality", "key"], name="report_band_key")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.key}"


class ReportAttempt(models.Model):
    """One sending of the public report form or API by a client address: the rate limit counts these."""

    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["ip_address", "at"])]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.at:%Y-%m-%d %H:%M}"


class Source(models.Model):
    """Evidence for a verdict: an official statement, a document, an interview."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("出典"), max_length=200)
    url = models.CharField(_("URL"), max_length=MAX_LINK, blank=True, validators=[validate_link])
    published_on = models.DateField(_("出典の日付"), null=True, blank=True)
    note = models.CharField(_("メモ"), max_length=500, blank=True)
    added_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # a copy of the source as it was (PDF, PNG/JPEG, a saved page, a WARC): on the configured storage, for
    # editors only (an audited download); kept once, never replaced, with its checked type and SHA-256
    archive = models.FileField(
        _("保存した写し"), upload_to="infosafety-archives/%Y/%m/", max_length=300, blank=True
    )
    archive_type = models.CharField(max_length=40, blank=True)  # application/pdf … read from the bytes
    archive_size = models.PositiveBigIntegerField(null=True, blank=True)
    archive_sha256 = models.CharField(max_length=64, blank=True)
    archived_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["added_at"]

    def __str__(self) -> str:
        return self.title


class Verdict(models.Model):
    """One published verdict; a correction adds a row that says what changed, so the history stays."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    scale = models.CharField(max_length=10)
    rating = models.CharField(max_length=20)
    explanation = models.TextField()
    drafted_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    correction_note = models.CharField(_("訂正の内容"), max_length=500, blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["published_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.rating}"

    @property
    def rating_label(self) -> str:
        """The verdict as its scale words it (the code itself only if the scale no longer has it)."""
        try:
            return SCALES[self.scale].rating(self.rating).label
        except KeyError:
            return self.rating


class SignalSetVersion(models.Model):
    """A signal set loaded by staff for their municipality; the newest one is used for screening."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(_("版"), max_length=40)
    document = models.JSONField()
    changes = models.JSONField(default=list)  # the diff against the set it replaced, as lines
    loaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-loaded_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "version"], name="signal_set_unique_version"),
        ]

    def __str__(self) -> str:
        return self.version


class ScreeningBatch(Job):
    """A file of posts screened by the task worker."""

    job_task: ClassVar[str] = "chiiki.infosafety.tasks.screen_batch"
    job_queue: ClassVar[str] = "long"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="infosafety-batches/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    signal_version = models.CharField(max_length=40, blank=True)
    total = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    watched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]

    def __str__(self) -> str:
        return self.original_name


class PostImport(Job):
    """A file of posts too large for the page (more than 2,000), imported into the desk by the task worker."""

    job_task: ClassVar[str] = "chiiki.infosafety.tasks.import_file"
    job_queue: ClassVar[str] = "long"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="infosafety-imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField(default=0)  # posts in the file, known once it is read
    reports = models.PositiveIntegerField(default=0)
    new_claims = models.PositiveIntegerField(default=0)
    joined_claims = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]

    def __str__(self) -> str:
        return self.original_name


class ScreenedPost(models.Model):
    """One screened post with its score and the signals that explain it."""

    class Level(models.TextChoices):
        LOW = "low", _("低い")
        WATCH = "watch", _("要注意")
        FLAG = "flag", _("募集の疑いが強い")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        ScreeningBatch, null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    line = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(max_length=MAX_TEXT)
    url = models.CharField(max_length=MAX_LINK, blank=True, validators=[validate_link])
    score = models.FloatField()
    level = models.CharField(max_length=5, choices=Level.choices)
    matches = models.JSONField(default=list)
    signal_version = models.CharField(max_length=40)
    screened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-score", "line", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class LineChannel(models.Model):
    """A municipality's LINE official account (Messaging API): residents send rumours to it and get answers."""

    municipality = models.OneToOneField(Municipality, on_delete=models.PROTECT, related_name="+")
    channel_secret = models.CharField(max_length=100)  # checks X-Line-Signature (HMAC-SHA256 of the body)
    access_token = models.CharField(max_length=300)  # sends replies and push messages
    api_base = models.CharField(max_length=200, default="https://api.line.me")  # tests point it at a stand-in
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"LINE {self.municipality_id}"


class LineEvent(models.Model):
    """A webhook event already handled: LINE may send an event again, and it must not count twice."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    webhook_event_id = models.CharField(max_length=100)
    user_id = models.CharField(max_length=100, blank=True)  # the sender, to tell them when the claim is rated
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="line_events"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "webhook_event_id"], name="line_event_once"),
        ]

    def __str__(self) -> str:
        return self.webhook_event_id


class LineMessage(Job):
    """A message to a resident on LINE, sent by the worker: a reply to their report, or the verdict later."""

    job_task: ClassVar[str] = "chiiki.infosafety.tasks.send_line_message"
    max_attempts: ClassVar[int] = 3

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    reply_token = models.CharField(max_length=100, blank=True)  # first attempt replies; later ones push
    to = models.CharField(max_length=100, blank=True)
    text = models.TextField(max_length=5000)

    def __str__(self) -> str:
        return self.text[:40]


class WatchMode(models.Model):
    """Disaster or election mode for a period: reports matching a watch pattern are flagged at once."""

    class Kind(models.TextChoices):
        DISASTER = "disaster", _("災害")
        ELECTION = "election", _("選挙")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("名前"), max_length=100)
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    patterns = models.JSONField(_("注意する言葉"), default=list)  # lists of words that must all appear
    created_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class TakedownReport(models.Model):
    """A report of a screened post to its platform or to the Internet Hotline Center, tracked until removal."""

    class Recipient(models.TextChoices):
        X = "x", "X"
        INSTAGRAM = "instagram", "Instagram"
        TIKTOK = "tiktok", "TikTok"
        LINE = "line", "LINE"
        IHC = "ihc", _("インターネット・ホットラインセンター")
        OTHER = "other", _("その他")

    class Status(models.TextChoices):
        DRAFTED = "drafted", _("作成済み")
        SENT = "sent", _("送信済み")
        REMOVED = "removed", _("削除された")
        REFUSED = "refused", _("削除されなかった")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(ScreenedPost, on_delete=models.PROTECT, related_name="takedowns")
    recipient = models.CharField(_("通報先"), max_length=10, choices=Recipient.choices)
    reason = models.TextField(_("理由"), max_length=2000)
    url = models.CharField(_("URL"), max_length=MAX_LINK, validators=[validate_link])
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.DRAFTED)
    created_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # the capture of the post as staff saw it (a screenshot, or a PDF/MHTML/WARC saved copy): evidence, kept once
    capture = models.FileField(
        _("投稿の記録"), upload_to="infosafety-captures/%Y/%m/", max_length=300, blank=True
    )
    capture_type = models.CharField(max_length=40, blank=True)  # image/png … read from the bytes
    capture_size = models.PositiveBigIntegerField(null=True, blank=True)
    capture_sha256 = models.CharField(max_length=64, blank=True)
    captured_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    captured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.recipient} {self.url}"

    @property
    def capture_name(self) -> str:
        """The capture's file name in the report and its ZIP (ours, never the sender's): takedown-<n>-capture.png."""
        if not self.capture or self.capture_type not in CAPTURE_TYPES:
            return ""
        return f"takedown-{self.pk}-capture.{CAPTURE_TYPES[self.capture_type]}"
