"""Online procedures and push-type benefits: allowances, tax and receipt-account facts, runs, entitlements, payments.

One entitlement per household per allowance and one payment per entitlement are database constraints, so
double payment is impossible by construction.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job, Municipality
from chiiki.registry.models import District, Household


class Allowance(models.Model):
    """A benefit policy staff define: a reviewed rule set, dated parameters and a reference date (基準日)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="allowances")
    code = models.CharField(_("給付コード"), max_length=40)
    name = models.CharField(_("給付の名称"), max_length=120)
    rule_set = models.CharField(_("支給要件(規則)"), max_length=60)
    parameters = models.TextField(_("パラメータ(YAML、適用開始日つき)"))
    reference_date = models.DateField(_("基準日"))
    fiscal_year = models.PositiveSmallIntegerField(_("課税情報の年度"))
    legal_basis = models.CharField(_("根拠"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "code"], name="allowance_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class TaxRecord(models.Model):
    """One person's resident-tax facts for a fiscal year (年度), from the tax system's extract."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    person_code = models.CharField(_("住民番号"), max_length=20)
    exempt = models.BooleanField(_("住民税均等割非課税"))
    income = models.BigIntegerField(_("所得(円)"), default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["municipality", "fiscal_year", "person_code"], name="taxrecord_one_per_person_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_code} {self.fiscal_year}"


class ReceiptAccount(models.Model):
    """A person's registered public-funds receipt account (公金受取口座)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    person_code = models.CharField(_("住民番号"), max_length=20)
    bank_code = models.CharField(_("金融機関コード"), max_length=4)
    branch_code = models.CharField(_("支店コード"), max_length=3)
    account_type = models.CharField(_("預金種目"), max_length=1)
    account_number = models.CharField(_("口座番号"), max_length=7)
    holder_kana = models.CharField(_("口座名義(カナ)"), max_length=30)
    # The contact registered with the account (optional): where a notice is also sent by e-mail or SMS.
    email = models.EmailField(_("連絡先メールアドレス"), max_length=254, blank=True)
    phone = models.CharField(_("連絡先電話番号"), max_length=20, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["municipality", "person_code"], name="receiptaccount_one_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_code} {self.bank_code}-{self.branch_code}"


class EligibilityRun(Job):
    """An eligibility run over the registry: a dry run (counts and explanations) or the run that issues notices."""

    job_task: ClassVar[str] = "chiiki.procedures.tasks.run_eligibility"
    job_queue: ClassVar[str] = "long"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    allowance = models.ForeignKey(Allowance, on_delete=models.PROTECT, related_name="runs")
    issue_notices = models.BooleanField(_("確認書を発行する"), default=False)
    requested_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.JSONField(default=dict, blank=True)
    notices_pdf = models.FileField(upload_to="procedures/notices/%Y/%m/", blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]


class Entitlement(models.Model):
    """An eligible household of an allowance: its notice (確認書), its answer and the account it will be paid to."""

    class Status(models.TextChoices):
        NOTIFIED = "notified", _("確認書送付済み")
        CONFIRMED = "confirmed", _("受給の確認済み")
        DECLINED = "declined", _("辞退")
        FOLLOW_UP = "follow_up", _("要確認(口座・税情報なし)")
        PAID = "paid", _("振込データ作成済み")

    class Channel(models.TextChoices):
        ONLINE = "online", _("オンライン")
        HELP_DESK = "help_desk", _("窓口での支援")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    allowance = models.ForeignKey(Allowance, on_delete=models.PROTECT, related_name="entitlements")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(District, null=True, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(EligibilityRun, on_delete=models.PROTECT, related_name="entitlements")
    amount = models.PositiveIntegerField(_("支給額(円)"))
    explanation = models.JSONField(default=list)
    status = models.CharField(_("状態"), max_length=12, choices=Status.choices)
    follow_up_reason = models.CharField(_("要確認の理由"), max_length=200, blank=True)
    login_id = models.CharField(_("確認書番号"), max_length=12, unique=True, null=True, blank=True)
    access_key_hash = models.CharField(max_length=200, blank=True)
    head_name = models.CharField(_("世帯主"), max_length=90, blank=True)
    bank_code = models.CharField(max_length=4, blank=True)
    branch_code = models.CharField(max_length=3, blank=True)
    account_type = models.CharField(max_length=1, blank=True)
    account_number = models.CharField(max_length=7, blank=True)
    holder_kana = models.CharField(max_length=30, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    helper = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    consent_note = models.CharField(_("本人の同意"), max_length=200, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["allowance", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["allowance", "household"], name="entitlement_one_per_household"),
            models.CheckConstraint(
                condition=~models.Q(status="confirmed") | ~models.Q(account_number=""),
                name="entitlement_confirmed_has_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allowance_id}:{self.household_id}"

    @property
    def has_account(self) -> bool:
        """True when a receipt account is on file for the household."""
        return bool(self.account_number)


class PaymentBatch(models.Model):
    """One payment file (総合振込) for the confirmed households of an allowance."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    allowance = models.ForeignKey(Allowance, on_delete=models.PROTECT, related_name="payment_batches")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    transfer_date = models.DateField(_("振込指定日"))
    count = models.PositiveIntegerField(_("件数"))
    total = models.PositiveBigIntegerField(_("合計金額(円)"))
    content = models.BinaryField(_("振込データ"))

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.allowance_id}:{self.transfer_date}"


class Payment(models.Model):
    """One transfer of an entitlement: at most one per entitlement, so a household is never paid twice."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="payments")
    entitlement = models.OneToOneField(Entitlement, on_delete=models.PROTECT, related_name="payment")
    amount = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.entitlement_id}"


class Procedure(models.Model):
    """A procedure residents can do online: what it is, who may apply, what to prepare, and its standard form."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="procedures")
    code = models.CharField(_("手続コード"), max_length=40)
    name = models.CharField(_("手続の名称"), max_length=120)
    name_kana = models.CharField(_("手続の名称(カナ)"), max_length=200, blank=True)
    name_en = models.CharField(_("手続の名称(英語)"), max_length=200, blank=True)
    legal_basis = models.CharField(_("根拠法令"), max_length=200, blank=True)
    who_may_apply = models.TextField(_("申請できる方"), blank=True)
    attachments = models.JSONField(_("添付書類"), default=list, blank=True)
    fee = models.PositiveIntegerField(_("手数料(円)"), default=0)
    processing_days = models.PositiveSmallIntegerField(_("標準処理期間(日)"), default=0)
    card_required = models.BooleanField(_("マイナンバーカードでのサインインが必要"), default=False)
    email_allowed = models.BooleanField(
        _("カードのない方はメールアドレスを確認したアカウントで申請できる"), default=False
    )
    form = models.JSONField(_("申請書(XLSForm)"))
    xlsform = models.BinaryField(_("申請書のXLSForm"))
    dictionary_version = models.CharField(_("標準項目辞書の版"), max_length=20)
    second_approval = models.BooleanField(_("決定に二人目の承認が必要"), default=False)
    search_text = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "code"], name="procedure_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentAccount(models.Model):
    """A resident's account without the My Number card: an e-mail address proven by a one-time link.

    One per address and municipality. It opens procedures marked `email_allowed` and keeps their applications, so
    the resident resumes them from any device after following a new link (no number and key needed).
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField(_("メールアドレス"))
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(_("確認日時"))
    last_signed_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "email"], name="residentaccount_unique_email"),
        ]

    def __str__(self) -> str:
        return f"account {self.pk}"


class EmailLink(models.Model):
    """A one-time sign-in link sent by e-mail: signed, expiring, used at most once.

    The link carries this row's id and a random secret, signed with the site's key; only the secret's SHA-256
    is stored. Using it is one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so it works once.
    Rows also count the links asked for an address or from a client, which limits sending.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()
    secret_hash = models.CharField(max_length=64)
    next_url = models.CharField(max_length=200, blank=True)
    requested_from = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"link {self.pk}"


class Application(models.Model):
    """An application: a draft the resident can resume, then received, processed and decided by staff.

    The receipt number is given when the application is submitted and shown only after that has committed. An
    approval of a procedure needing a second person is only possible with a first approver who is not the one
    who decides (a database constraint as well as a check in the action).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("下書き")
        RECEIVED = "received", _("受付済み")
        RETURNED = "returned", _("差戻し中(修正をお願いしています)")
        AWAITING_SECOND = "awaiting_second", _("二人目の承認待ち")
        APPROVED = "approved", _("承認")
        REJECTED = "rejected", _("不承認")
        WITHDRAWN = "withdrawn", _("取り下げ")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="applications")
    receipt_number = models.CharField(_("受付番号"), max_length=20, unique=True, null=True, blank=True)
    answers = models.JSONField(default=dict)
    status = models.CharField(_("状態"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True, null=True)
    submitted_at = models.DateTimeField(_("受付日時"), null=True, blank=True)
    channel = models.CharField(max_length=10, default="online")
    helper = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    consent_note = models.CharField(_("本人の同意"), max_length=200, blank=True)
    # The e-mail-verified account that started it (procedures marked email_allowed), to resume it from the account.
    account = models.ForeignKey(
        ResidentAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    # The resident's own way back (resume a draft, see the status): a 12-digit number and a key shown once.
    login_id = models.CharField(_("申請番号"), max_length=12, unique=True, null=True, blank=True)
    access_key_hash = models.CharField(max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs_second_approval = models.BooleanField(default=False)
    first_approver = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    decision_reason = models.TextField(_("決定の理由"), blank=True)
    contact_email = models.EmailField(_("お知らせを受け取るメールアドレス"), max_length=254, blank=True)
    decision_letter = models.FileField(upload_to="procedures/decisions/%Y/%m/", blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-submitted_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(needs_second_approval=False)
                | (
                    models.Q(first_approver__isnull=False, decided_by__isnull=False)
                    & ~models.Q(first_approver=models.F("decided_by"))
                ),
                name="application_second_approver_differs",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(receipt_number__isnull=False),
                name="application_submitted_has_receipt",
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number or f"draft {self.pk}"

    @property
    def editable(self) -> bool:
        """The resident may change the answers and attachments (a draft, or returned for correction)."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def open(self) -> bool:
        """Submitted and not yet decided or withdrawn."""
        return self.status in (self.Status.RECEIVED, self.Status.RETURNED, self.Status.AWAITING_SECOND)


class ApplicationMessage(models.Model):
    """A message on an application: staff's 差戻し (return for correction) or the resident's answer."""

    class Author(models.TextChoices):
        STAFF = "staff", _("市の担当者")
        RESIDENT = "resident", _("申請者")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("差出人"), max_length=10, choices=Author.choices)
    text = models.TextField(_("内容"))
    staff = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}:{self.author}"


class Attachment(models.Model):
    """A file attached to an application (PDF, JPEG or PNG, checked by its content), on the configured storage."""

    class Scan(models.TextChoices):
        CLEAN = "clean", _("ウイルス検査済み")
        NOT_SCANNED = "not_scanned", _("ウイルス検査なし(検査の設定がありません)")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="procedures/attachments/%Y/%m/")
    name = models.CharField(_("ファイル名"), max_length=200)
    kind = models.CharField(_("ファイルの種類"), max_length=10)
    size = models.PositiveIntegerField(_("大きさ(バイト)"))
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(_("ウイルス検査"), max_length=12, choices=Scan.choices)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class HelpPoint(models.Model):
    """A place where residents get help with procedures nearby (seed §5): a counter, a library, a community
    centre or a デジタル推進委員 session, with its opening times, accessibility and position."""

    class Kind(models.TextChoices):
        COUNTER = "counter", _("市役所・支所の窓口")
        LIBRARY = "library", _("図書館")
        COMMUNITY = "community", _("公民館・コミュニティセンター")
        DIGITAL = "digital", _("デジタル推進委員の相談会")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="help_points")
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("住所"), max_length=200)
    opening_hours = models.TextField(_("開いている日時"))
    wheelchair = models.BooleanField(_("車いすで入れる"), default=False)
    hearing_loop = models.BooleanField(_("ヒアリングループ(磁気ループ)あり"), default=False)
    parking = models.BooleanField(_("駐車場あり"), default=False)
    accessibility_notes = models.TextField(_("バリアフリーについての補足"), blank=True)
    latitude = models.FloatField(_("緯度"))
    longitude = models.FloatField(_("経度"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "kind", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "name"], name="helppoint_unique_name"),
            models.CheckConstraint(
                condition=models.Q(
                    latitude__gte=20, latitude__lte=46, longitude__gte=122, longitude__lte=154
                ),
                name="helppoint_in_japan",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class HelpSlot(models.Model):
    """A bookable time at a help point (a session with a capacity). `booked` counts the live bookings; the
    database refuses any row where it exceeds the capacity, so a slot cannot be overbooked."""

    help_point = models.ForeignKey(HelpPoint, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("開始"))
    ends_at = models.DateTimeField(_("終了"))
    topic = models.CharField(_("内容"), max_length=120, blank=True)
    capacity = models.PositiveSmallIntegerField(_("定員(人)"))
    booked = models.PositiveSmallIntegerField(_("予約済み(人)"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="helpslot_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")), name="helpslot_no_overbooking"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="helpslot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.help_point} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class HelpBooking(models.Model):
    """A resident's booking of a slot, made without an account: a name and a phone number or e-mail address.
    The 12-digit booking number and the contact together cancel it."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("予約中")
        CANCELLED = "cancelled", _("取消済み")

    slot = models.ForeignKey(HelpSlot, on_delete=models.PROTECT, related_name="bookings")
    number = models.CharField(_("予約番号"), max_length=12, unique=True)
    name = models.CharField(_("お名前"), max_length=80)
    contact = models.CharField(_("電話番号またはメールアドレス"), max_length=254)
    need = models.CharField(_("相談したいこと"), max_length=200, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["slot", "created_at", "id"]

    def __str__(self) -> str:
        return self.number


class ResidentMessage(models.Model):
    """One message to a resident through one channel (e-mail, SMS, the signed-in resident's inbox), and what
    became of it. Written in the same transaction as what it tells about and sent by the worker after commit
    (`tasks.deliver_message`); a gateway's refusal is retried a few times with a growing wait, then the message
    is marked failed for staff (`/staff/m/<code>/procedures/messages/`), who can send it again."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("確認書のお知らせ")
        BOOKING_CONFIRMED = "booking_confirmed", _("予約の確認")
        BOOKING_REMINDER = "booking_reminder", _("予約の前日のお知らせ")
        RETURNED = "returned", _("差戻しのお知らせ")
        DECIDED = "decided", _("決定のお知らせ")

    class Channel(models.TextChoices):
        EMAIL = "email", _("電子メール")
        SMS = "sms", _("SMS")
        INBOX = "inbox", _("お知らせ箱(サインインした方)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        RETRYING = "retrying", _("再送待ち")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("送信経路"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("宛先"), max_length=254)
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    link = models.URLField(_("リンク"), max_length=500, blank=True)
    status = models.CharField(_("状況"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    backend = models.CharField(_("送信に使った方式"), max_length=200, blank=True)
    provider_reference = models.CharField(_("送信先での受付番号"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(_("次の送信"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    read_at = models.DateTimeField(_("既読"), null=True, blank=True)
    entitlement = models.ForeignKey(
        Entitlement, null=True, blank=True, on_delete=models.SET_NULL, related_name="resident_messages"
    )
    booking = models.ForeignKey(
        HelpBooking, null=True, blank=True, on_delete=models.SET_NULL, related_name="resident_messages"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="resident_messages"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["municipality", "status"], name="residentmessage_status"),
            models.Index(fields=["municipality", "channel", "recipient"], name="residentmessage_inbox"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms", "inbox"]),
                name="residentmessage_channel_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="residentmessage_sent_has_time",
            ),
            # A booking gets one reminder, however often the daily job runs.
            models.UniqueConstraint(
                fields=["booking", "kind"],
                condition=models.Q(kind="booking_reminder"),
                name="residentmessage_one_reminder_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} {self.pk}"


class ItemDictionary(models.Model):
    """A standard-item dictionary installed for a municipality (imported in the export's JSON layout).

    The one in use is the newest installed; without any, the dictionary shipped with Chiiki is in use. An import
    is installed only after staff have seen its differences from the one in use and confirmed.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    version = models.CharField(_("版"), max_length=40)
    content = models.JSONField(_("辞書(JSON)"))
    installed_at = models.DateTimeField(auto_now_add=True)
    installed_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "-installed_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "version"], name="itemdictionary_unique_version"),
        ]

    def __str__(self) -> str:
        return self.version
