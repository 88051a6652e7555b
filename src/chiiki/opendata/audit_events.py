"""The words for this app's audit events and object types (gathered by chiiki.core.audit_events)."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EVENTS: dict[str, Promise] = {
    "opendata.harvest_accepted": _("収集したデータセットを確認して公開した"),
    "opendata.dataset_created": _("データセットを作った"),
    "opendata.dataset_imported": _("データセットにファイルを読み込んだ"),
    "opendata.dataset_published": _("データセットを公開した"),
    "opendata.dataset_unpublished": _("データセットを非公開にした"),
    "opendata.dataset_updated": _("データセットの説明を更新した"),
    "opendata.harvested": _("ほかのカタログから取り込んだ"),
    "opendata.merge_rebuilt": _("統合したデータセットを作り直した"),
    "opendata.organization_created": _("公開する組織を作った"),
    "opendata.resource_created": _("データセットにファイルを加えた"),
    "opendata.standard_installed": _("標準データセットの定義書を読み込んだ"),
    "opendata.token_created": _("APIトークンを発行した"),
    "opendata.token_revoked": _("APIトークンを無効にした"),
    "opendata.upload_received": _("公開するファイルを受け付けた"),
    "opendata.upload_other_codes_confirmed": _("別の団体のコードを含むファイルの取り込みを確認した"),
}

OBJECTS: dict[str, Promise] = {
    "api_token": _("APIトークン"),
    "dataset": _("データセット"),
    "harvest_source": _("取り込み元のカタログ"),
    "opendata_upload": _("公開するファイル"),
    "organization": _("組織"),
    "standard_version": _("標準データセットの版"),
}
