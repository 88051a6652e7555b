"""The one size check of every upload form: a file over CHIIKI_MAX_UPLOAD_BYTES is refused naming the limit."""

from __future__ import annotations

from typing import TypeVar

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

Upload = TypeVar("Upload")


def within_upload_limit(upload: Upload) -> Upload:
    """The upload itself, or a form error saying the file is over the limit (in MB)."""
    limit = int(settings.CHIIKI_MAX_UPLOAD_BYTES)
    if int(getattr(upload, "size", 0) or 0) > limit:
        raise forms.ValidationError(
            _("ファイルが大きすぎます(上限 %(mb)d MB)。") % {"mb": limit // 1024 // 1024}
        )
    return upload
