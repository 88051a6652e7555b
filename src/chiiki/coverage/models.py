"""Mobile coverage evidence (seed §8(1)): residents' dead-zone reports, measurements, places, targets."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job, Municipality
from chiiki.registry.models import District


class Carrier(models.TextChoices):
    DOCOMO = "docomo", _("NTTドコモ")
    AU = "au", _("au(KDDI)")
    SOFTBANK = "softbank", _("ソフトバンク")
    RAKUTEN = "rakuten", _("楽天モバイル")


class Technology(models.TextChoices):
    G4 = "4G", _("4G(LTE)")
    G5 = "5G", _("5G")


class Problem(models.TextChoices):
    NO_SIGNAL = "no_signal", _("圏外になる(電波がない)")
    CALLS_DROP = "calls_drop", _("通話が切れる・つながらない")
    DATA_UNUSABLE = "data_unusable", _("インターネットが使えない・とても遅い")
    NO_5G = "no_5g", _("5G だけがつながらない")


class PlaceKind(models.TextChoices):
    INDOOR = "indoor", _("家や建物の中")
    OUTDOOR = "outdoor", _("屋外")
    ROAD = "road", _("道路を移動中")


class Frequency(models.TextChoices):
    ALWAYS = "always", _("いつも")
    OFTEN = "often", _("ときどき(週に何回か)")
    RARELY = "rarely", _("たまに")


class TimeBand(models.TextChoices):
    MORNING = "morning", _("朝(6時〜10時)")
    DAYTIME = "daytime", _("昼(10時〜16時)")
    EVENING = "evening", _("夕方(16時〜20時)")
    NIGHT = "night", _("夜(20時〜6時)")
    ANYTIME = "anytime", _("時間に関係なく")


class DistrictPlace(models.Model):
    """The representative point of a registry district (大字・丁目), where a report by district is placed."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="coverage_place")
    latitude = models.FloatField(_("緯度"))
    longitude = models.FloatField(_("経度"))
    source = models.CharField(_("出典"), max_length=200)

    def __str__(self) -> str:
        return f"{self.district} ({self.latitude}, {self.longitude})"


class AreaExtent(models.Model):
    """The municipality's bounding box: coordinates outside it are refused with a message."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="coverage_extent"
    )
    south = models.FloatField()
    west = models.FloatField()
    north = models.FloatField()
    east = models.FloatField()
    source = models.CharField(_("出典"), max_length=200)

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.south},{self.west} – {self.north},{self.east}"


class DeadZoneReport(models.Model):
    """A resident's report that a carrier's 4G/5G fails at a place. The exact place is personal data."""

    class LocationSource(models.TextChoices):
        DISTRICT = "district", _("地区(代表点)")
        COORDINATES = "coordinates", _("緯度・経度")

    class Channel(models.TextChoices):
        WEB = "web", _("ウェブ")
        PHONE = "phone", _("電話")
        DESK = "desk", _("窓口")

    class Status(models.TextChoices):
        RECEIVED = "received", _("受け付けました")
        ACCEPTED = "accepted", _("確認し、証拠として採用しました")
        DUPLICATE = "duplicate", _("同じ内容の報告があります")
        REJECTED = "rejected", _("対象外です")
        RESOLVED = "resolved", _("解消しました")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="coverage_reports")
    reference = models.CharField(_("受付番号"), max_length=12, unique=True)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address_detail = models.CharField(_("番地など"), max_length=100, blank=True)
    latitude = models.FloatField(_("緯度"), null=True, blank=True)
    longitude = models.FloatField(_("経度"), null=True, blank=True)
    location_source = models.CharField(max_length=12, choices=LocationSource.choices)
    # The 250 m cell (4分の1地域メッシュ, 10 digits); empty when the district has no representative point yet.
    mesh_code = models.CharField(_("メッシュコード"), max_length=10, blank=True, db_index=True)
    place_kind = models.CharField(_("場所の種類"), max_length=10, choices=PlaceKind.choices)
    carrier = models.CharField(_("携帯電話会社"), max_length=10, choices=Carrier.choices)
    technology = models.CharField(_("通信方式"), max_length=2, choices=Technology.choices)
    problem = models.CharField(_("困っていること"), max_length=15, choices=Problem.choices)
    frequency = models.CharField(_("頻度"), max_length=10, choices=Frequency.choices)
    observed_on = models.DateField(_("起きた日"))
    time_band = models.CharField(_("時間帯"), max_length=10, choices=TimeBand.choices)
    download_mbps = models.FloatField(_("速度測定の結果(下り Mbps)"), null=True, blank=True)
    channel = models.CharField(_("受付方法"), max_length=6, choices=Channel.choices, default=Channel.WEB)
    # One key per household (district + normalized address, or the rounded point): reports with the same key
    # are not independent evidence.
    reporter_key = models.CharField(max_length=32)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    staff_note = models.TextField(_("担当者のメモ"), blank=True)
    public_note = models.CharField(_("報告者へのお知らせ"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("受付日時"), auto_now_add=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return self.reference


class MeasurementImport(Job):
    """A measurement log uploaded by staff, checked and loaded by the worker (never inside the request)."""

    job_task: ClassVar[str] = "chiiki.coverage.tasks.import_uploaded_measurements"
    job_queue: ClassVar[str] = "long"

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="coverage_imports")
    file = models.FileField(upload_to="coverage-measurements/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    rows_read = models.PositiveIntegerField(default=0)
    rows_kept = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at"]

    def __str__(self) -> str:
        return self.original_name


class Measurement(models.Model):
    """One cleaned sample of a measurement log."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    upload = models.ForeignKey(MeasurementImport, on_delete=models.CASCADE, related_name="measurements")
    measured_at = models.DateTimeField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    mesh_code = models.CharField(max_length=10)
    carrier = models.CharField(max_length=10, choices=Carrier.choices)
    technology = models.CharField(max_length=4)  # 5G, 4G or none (圏外)
    rsrp = models.FloatField(null=True)
    rsrq = models.FloatField(null=True)
    sinr = models.FloatField(null=True)
    download_mbps = models.FloatField(null=True)
    upload_mbps = models.FloatField(null=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["municipality", "mesh_code"])]

    def __str__(self) -> str:
        return f"{self.measured_at} {self.carrier} {self.technology}"


class TargetTable(models.Model):
    """One loaded version of the coverage target table (national, prefectural and municipal targets)."""

    version = models.CharField(_("版"), max_length=40, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=150)
    sha256 = models.CharField(max_length=64)
    changes = models.JSONField(default=list)  # the diff against the previous version, as lines

    class Meta:
        ordering: ClassVar[list[str]] = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return self.version


class CoverageTarget(models.Model):
    """A target of one area, technology and fiscal year, with the published figure and its provenance."""

    table = models.ForeignKey(TargetTable, on_delete=models.CASCADE, related_name="targets")
    area_code = models.CharField(max_length=6)
    area_name = models.CharField(max_length=60)
    technology = models.CharField(max_length=2, choices=Technology.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    target_percent = models.FloatField()
    published_percent = models.FloatField(null=True)
    published_as_of = models.PositiveSmallIntegerField(null=True)
    source = models.CharField(max_length=300)
    verified = models.BooleanField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["table", "area_code", "technology", "fiscal_year"], name="coverage_target_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_name} {self.technology} {self.fiscal_year}"


class CellPopulation(models.Model):
    """Population of one 500 m cell from the national census mesh statistics (e-Stat), for one municipality."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    mesh_code = models.CharField(max_length=10)
    population = models.PositiveIntegerField()
    suppressed = models.BooleanField(default=False)  # 秘匿・合算: no figure of its own, counted as 0
    source = models.CharField(max_length=200)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["municipality", "mesh_code"], name="coverage_cell_population_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mesh_code}: {self.population}"


class CoverageLayer(models.Model):
    """A carrier's or the Ministry's claimed coverage for one carrier and technology, as the 500 m cells it
    covers; the latest layer of a carrier and technology is the one in force."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    carrier = models.CharField(_("携帯電話会社"), max_length=10, choices=Carrier.choices)
    technology = models.CharField(_("通信方式"), max_length=2, choices=Technology.choices)
    source = models.CharField(_("出典"), max_length=200)
    original_name = models.CharField(max_length=200)
    cells = models.JSONField(default=list)  # sorted 500 m mesh codes
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=150)

    class Meta:
        ordering: ClassVar[list[str]] = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.technology} {self.source}"


class RoadLayer(models.Model):
    """Roads of the municipality (GeoJSON lines), kept as metres of road per 500 m cell; the latest one counts
    in the priorities."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("出典"), max_length=200)
    original_name = models.CharField(max_length=200)
    cells = models.JSONField(default=dict)  # 500 m mesh code -> metres of road
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=150)

    class Meta:
        ordering: ClassVar[list[str]] = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        return self.source


class Challenge(models.Model):
    """Confirmed dead-zone 500 m cells put to one carrier with an evidence pack; the carrier answers by a
    deadline and staff then decide each cell (the FCC challenge process, seed §8(1))."""

    class Status(models.TextChoices):
        OPEN = "open", _("事業者の回答待ち")
        ANSWERED = "answered", _("回答あり・区画ごとに判断中")
        CLOSED = "closed", _("すべての区画の判断済み")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    carrier = models.CharField(_("携帯電話会社"), max_length=10, choices=Carrier.choices)
    technology = models.CharField(_("通信方式"), max_length=2, choices=Technology.choices)
    note = models.TextField(_("申し入れの内容"), blank=True)
    answer_due = models.DateField(_("回答期限"))
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField(_("事業者の回答"), blank=True)
    answered_on = models.DateField(_("回答日"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.technology} #{self.pk}"


class ChallengeCell(models.Model):
    """One 500 m cell of a challenge, with the evidence it had when bundled and its outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("判断待ち")
        RESOLVED = "resolved", _("解消(事業者が対策した)")
        DISPUTED = "disputed", _("見解の相違(事業者は不感と認めない)")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="cells")
    mesh_code = models.CharField(_("メッシュコード"), max_length=9, db_index=True)
    evidence = models.CharField(max_length=40)  # reports / measurements / both, as the engine said
    samples = models.PositiveIntegerField(default=0)
    reporters = models.PositiveIntegerField(default=0)  # households; withheld below 3 when published
    population = models.PositiveIntegerField(default=0)
    outcome = models.CharField(_("結果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_note = models.CharField(_("結果のメモ"), max_length=300, blank=True)
    decided_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["mesh_code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["challenge", "mesh_code"], name="coverage_challenge_cell_unique")
        ]

    def __str__(self) -> str:
        return self.mesh_code


class BoundarySet(models.Model):
    """One imported version of the municipality's outline or of its districts' boundaries (GeoJSON polygons);
    the latest of each kind is drawn under the cells, older versions are kept with the changes they brought."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("市区町村の境界")
        DISTRICTS = "districts", _("地区(大字・丁目)の境界")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("種類"), max_length=12, choices=Kind.choices)
    version = models.PositiveIntegerField(_("版"))
    source = models.CharField(_("出典"), max_length=200)
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    # [{"code", "name", "polygons": [[outer ring, holes...], ...]}], [lon, lat] rounded to 6 decimals
    features = models.JSONField(default=list)
    changes = models.JSONField(default=list)  # lines naming what changed against the previous version
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.CharField(max_length=150)

    class Meta:
        ordering: ClassVar[list[str]] = ["-version"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "version"], name="coverage_boundary_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"
