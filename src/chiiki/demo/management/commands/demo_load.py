from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chiiki.demo.city import load_demo


class Command(BaseCommand):
    help = (
        "デモ用の市(緑川市)と住民基本台帳、役割ごとの職員アカウントを作ります (load the demo municipality)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=20_000, help="number of residents (default 20000)")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        summary = load_demo(persons=options["persons"], seed=options["seed"])
        for part in (self._town, self._survey, self._opendata, self._procedures, self._talent, self._cyber):
            part(summary)

    def _town(self, summary: Any) -> None:
        m = summary.municipality
        self.stdout.write(f"デモ自治体: {m.display_name} ({m.code})")
        if summary.registry is not None:
            r = summary.registry
            self.stdout.write(f"住民基本台帳: {r.persons} 人 / {r.households} 世帯 / {r.districts} 地区")
        else:
            self.stdout.write("住民基本台帳: 読み込み済み (already loaded)")
        self.stdout.write("職員アカウント (demo staff; username / password / role):")
        for username, password, role in summary.staff:
            self.stdout.write(f"  {username:18} {password:26} {role}")

    def _survey(self, summary: Any) -> None:
        if summary.survey is not None:
            survey = summary.survey.survey
            self.stdout.write(f"調査: {survey.title} (回答は /answer/ から; answer at /answer/)")
            self.stdout.write("依頼状の見本 (demo letters; login ID / access key):")
            for login_id, key in summary.survey.keys:
                self.stdout.write(f"  {login_id}  {key}")

    def _opendata(self, summary: Any) -> None:
        from chiiki.opendata.models import Dataset

        published = Dataset.objects.filter(
            organization__municipality=summary.municipality, state=Dataset.State.ACTIVE, private=False
        )
        census = published.filter(extras__has_key="survey_id").count()
        self.stdout.write(
            f"オープンデータ: 公開データセット {published.count()} 件 (うち調査の集計表 {census} 件) "
            "(/opendata/, /api/3/action/package_search, /catalog.ttl)"
        )

    def _procedures(self, summary: Any) -> None:
        if summary.procedures is not None:
            p = summary.procedures
            code = summary.municipality.code
            self.stdout.write(
                f"オンライン手続: {p.procedures} 件 (/procedures/{code}/); 給付「{p.allowance.name}」"
                f"(/staff/m/{code}/procedures/allowances/{p.allowance.pk}/)"
                + (
                    "; 確認書を発行する判定をワーカーに登録しました (issuing run queued for the worker)"
                    if p.run_queued
                    else ""
                )
            )

    def _talent(self, summary: Any) -> None:
        if summary.talent is not None:
            t = summary.talent
            if t.already_loaded:
                self.stdout.write("人材バンク(中国地方): 読み込み済み (already loaded)")
            else:
                self.stdout.write(
                    f"人材バンク(中国地方): 人材 {t.profiles} 人 / ニーズ {t.needs} 件 / 団体 {t.organizations} / "
                    f"紹介 {t.introductions} 件 / 副業の契約 {t.contracts} 件 (/talent/)"
                )
            self.stdout.write("人材バンクのアカウント (talent bank demo accounts; username / password):")
            for username, password, label in t.accounts:
                self.stdout.write(f"  {username:18} {password:26} {label}")

    def _cyber(self, summary: Any) -> None:
        if summary.cyber is not None:
            c = summary.cyber
            self.stdout.write(
                f"サイバーセキュリティ情報: {c.prefecture.display_name} ({c.prefecture.code}) 団体 {c.bodies} / "
                f"機器・ソフト {c.assets} / アドバイザリ {c.advisories} / 通知 {c.alerts} (/staff/m/{c.prefecture.code}/cyber/)"
            )
            for username, password, role in c.accounts:
                self.stdout.write(f"  {username:18} {password:26} {role}")
