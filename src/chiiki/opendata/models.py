"""The open-data catalog: organizations, datasets (CKAN "packages"), resources, versions, API tokens.

Field names follow CKAN where the CKAN API exposes them (name, title, notes, license_id, state, private,
metadata_created/modified), so `chiiki.opendata.api.ckan` is a thin translation.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.links import validate_link
from chiiki.core.models import Job, Municipality

# CKAN's rule for names: 2-100 characters, lowercase ASCII letters, digits, "-" and "_".
NAME_PATTERN = r"^[a-z0-9_-]{2,100}$"
name_validator = RegexValidator(
    NAME_PATTERN, _("名前は半角英小文字・数字・「-」「_」で 2〜100 文字にしてください。")
)

LICENSES: dict[str, tuple[str, str]] = {
    "cc-by-4.0": (
        "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "pdl-1.0": (
        "公共データ利用規約（第1.0版）(PDL1.0)",
        "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
    ),
    "cc0-1.0": ("CC0 1.0 パブリック・ドメイン", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "cc-by-2.1-jp": (
        "クリエイティブ・コモンズ 表示 2.1 日本",
        "https://creativecommons.org/licenses/by/2.1/jp/",
    ),
    "other": ("その他", ""),
}


class Organization(models.Model):
    """A publisher: a municipality or prefecture, or a remote organization brought in by harvesting."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名前（URL用）"), max_length=100, unique=True, validators=[name_validator])
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    municipality = models.OneToOneField(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="opendata_organization"
    )
    # Set on an organization brought in by harvesting: its title then says where it came from.
    harvest_source = models.ForeignKey(
        "HarvestSource", null=True, blank=True, on_delete=models.SET_NULL, related_name="organizations"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]
        verbose_name = _("組織")
        verbose_name_plural = _("組織")

    def __str__(self) -> str:
        return self.title


class Group(models.Model):
    """A CKAN group: here one per standard dataset kind, so group_list answers "which standard data exist"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100, unique=True, validators=[name_validator])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.title


class Tag(models.Model):
    """A free keyword (キーワード)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """A CKAN "package": one dataset of one organization, with its resources."""

    class State(models.TextChoices):
        DRAFT = "draft", _("下書き")
        ACTIVE = "active", _("有効")
        DELETED = "deleted", _("削除済み")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("名前（URL用）"), max_length=100, unique=True, validators=[name_validator])
    title = models.CharField(_("タイトル"), max_length=300)
    notes = models.TextField(_("説明"), blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="datasets")
    license_id = models.CharField(_("ライセンス"), max_length=40, default="cc-by-4.0")
    kind = models.CharField(_("標準データセットの種類"), max_length=60, blank=True, db_index=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="datasets")
    groups = models.ManyToManyField(Group, blank=True, related_name="datasets")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    private = models.BooleanField(_("非公開"), default=True)
    url = models.CharField(_("出典のURL"), max_length=500, blank=True, validators=[validate_link])
    version = models.PositiveIntegerField(default=1)
    extras = models.JSONField(default=dict, blank=True)
    harvest_source = models.ForeignKey(
        "HarvestSource", null=True, blank=True, on_delete=models.SET_NULL, related_name="datasets"
    )
    harvest_remote_id = models.CharField(max_length=100, blank=True)
    # A harvested dataset stays private until an editor of its source's municipality accepts it, and goes
    # back to review whenever the remote copy changes (actions.accept_harvested).
    awaiting_review = models.BooleanField(_("確認待ち"), default=False)
    # The period the data covers (DCAT dct:temporal): filled from the file's dates on import when its kind
    # has them (調査年月日, 開始日/終了日, …), or entered by staff; empty when unknown.
    temporal_start = models.DateField(_("対象期間の開始日"), null=True, blank=True)
    temporal_end = models.DateField(_("対象期間の終了日"), null=True, blank=True)
    # Normalized text (NFKC, lower case) that search.py indexes as bigrams and re-checks with LIKE.
    search_text = models.TextField(blank=True, editable=False)
    metadata_created = models.DateTimeField(default=timezone.now, db_index=True)
    metadata_modified = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-metadata_modified"]
        verbose_name = _("データセット")
        verbose_name_plural = _("データセット")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "active", "deleted"]), name="opendata_dataset_state"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        """Visible to everyone: active and not private."""
        return self.state == self.State.ACTIVE and not self.private

    @property
    def kind_title(self) -> str:
        """Japanese title of the standard dataset kind ("" when none)."""
        from chiiki.opendata.engine import load_schemas

        schema = load_schemas().get(self.kind)
        return schema.title if schema else ""

    @property
    def license_title(self) -> str:
        """Japanese title of the license."""
        return LICENSES.get(self.license_id, (self.license_id, ""))[0]

    @property
    def license_url(self) -> str:
        """URL of the license text."""
        return LICENSES.get(self.license_id, ("", ""))[1]


class Resource(models.Model):
    """One file of a dataset: stored here (file) or elsewhere (url)."""

    class Role(models.TextChoices):
        DATA = "data", _("データ")
        REPORT = "report", _("検査報告")
        SOURCE = "source", _("元のファイル")
        OTHER = "other", _("その他")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=40, blank=True, db_index=True)
    mimetype = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.DATA)
    file = models.FileField(upload_to="opendata/%Y/%m/", max_length=300, blank=True)
    url = models.CharField(max_length=1000, blank=True, validators=[validate_link])
    size = models.BigIntegerField(null=True, blank=True)
    hash = models.CharField(max_length=100, blank=True)  # "sha256:<hex>" for stored files
    rows = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    last_modified = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "created"]

    def __str__(self) -> str:
        return self.name


class DatasetVersion(models.Model):
    """A snapshot of a dataset's metadata after each change (the history)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering: ClassVar[list[str]] = ["-number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["dataset", "number"], name="opendata_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.number}"


class SearchTerm(models.Model):
    """One character bigram of a dataset's search text: a posting list in the database itself.

    Bigrams (not trigrams) so that two-character Japanese queries such as 公園 or 避難 use the index; the
    same table works on SQLite and PostgreSQL, so there is no separate search server to fall out of sync.
    """

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=2)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["term", "dataset"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["dataset", "term"], name="opendata_searchterm_unique"),
        ]

    def __str__(self) -> str:
        return self.term


class ApiToken(models.Model):
    """A CKAN-style API token of a staff user; only its SHA-256 is stored."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="opendata_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Upload(Job):
    """A file uploaded on the staff page, converted into a dataset by the task worker (`tasks.convert_upload`)."""

    job_task: ClassVar[str] = "chiiki.opendata.tasks.convert_upload"
    job_queue: ClassVar[str] = (
        "long"  # a conversion can take minutes: exports and letters do not wait behind it
    )

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="opendata_uploads")
    file = models.FileField(upload_to="opendata-uploads/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=200)
    kind = models.CharField(max_length=60, blank=True)
    dataset_name = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    dataset = models.ForeignKey(Dataset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Codes of other municipalities found in the file's 全国地方公共団体コード when the import was refused;
    # the staff page then asks whether to import it anyway (a new upload with other_codes_confirmed).
    other_codes = models.JSONField(default=list, blank=True)
    other_codes_confirmed = models.BooleanField(default=False)
    # The definition book version to check the file against (None: the one in use, 0: as shipped).
    standard_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]

    def __str__(self) -> str:
        return self.original_name


class HarvestSource(models.Model):
    """A remote CKAN portal we pull datasets from (`chiiki opendata harvest URL`, `actions.harvest_portal`)."""

    url = models.URLField(max_length=500, unique=True)
    # Whose open-data editors review (accept) what this source brings in.
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="opendata_harvest_sources"
    )
    last_run = models.DateTimeField(null=True, blank=True)
    last_modified_seen = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.url


class MergeTarget(models.Model):
    """A merged dataset: one standard kind across a prefecture ("35") or region ("chugoku")."""

    kind = models.CharField(max_length=60)
    scope = models.CharField(max_length=20)
    dataset = models.OneToOneField(Dataset, on_delete=models.CASCADE, related_name="merge_target")
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["kind", "scope"], name="opendata_merge_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}@{self.scope}"


class StandardVersion(models.Model):
    """A version of one standard dataset's schema installed from a definition book (`chiiki opendata standard
    load`). Version 0 is the schema shipped with Chiiki; the newest installed version is the one in use, and
    a file keeps being checked against the version it was imported with."""

    kind = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    book_file = models.CharField(max_length=255)
    book_date = models.CharField(max_length=10, blank=True)  # YYYY-MM-DD as the book's file name gives it
    schema = models.JSONField()
    installed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["kind", "version"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["kind", "version"], name="opendata_standard_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"
