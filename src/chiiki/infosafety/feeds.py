"""The Atom feed of a municipality's published fact-checks."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from chiiki.core.models import Municipality
from chiiki.infosafety import queries
from chiiki.infosafety.engine import SCALES
from chiiki.infosafety.models import Claim


class PublishedChecksFeed(Feed[Claim, Municipality]):
    """Newest 50 published fact-checks."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, area: str) -> Municipality:
        return get_object_or_404(Municipality, code=area)

    def title(self, obj: Municipality) -> str:
        return f"{obj.display_name} ファクトチェック"

    def link(self, obj: Municipality) -> str:
        return reverse("infosafety:public_list", kwargs={"area": obj.code})

    def items(self, obj: Municipality) -> list[Claim]:
        return list(queries.published_checks(obj)[:50])

    def item_title(self, item: Claim) -> str:
        return f"【{SCALES[item.scale].rating(item.rating).label}】{item.summary}"

    def item_description(self, item: Claim) -> str:
        return item.explanation

    def item_link(self, item: Claim) -> str:
        return reverse("infosafety:public_detail", kwargs={"area": item.municipality_id, "claim_id": item.pk})

    def item_pubdate(self, item: Claim) -> datetime | None:
        return item.published_at
