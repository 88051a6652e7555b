"""Files sent for upload questions (XLSForm image, audio, video, file), checked and kept in the default storage.

A page with an upload question is sent as multipart. For each upload question shown, a file sent is checked
(its name ending for the kind, its size, and for images the first bytes) and stored under
``survey-uploads/<survey>/<case>/``; the stored name becomes the answer. A refused file becomes the value
``REFUSED_UPLOAD + kind``, which the xlsform runtime reports as the question's error, so the page is shown
again saying so. When no file is sent, the name already saved stays (a hidden input sends it back; a name
outside this case's folder is ignored).
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile

from chiiki.surveys.answering.drafts import PostedPage
from chiiki.surveys.models import SurveyCase
from chiiki.surveys.xlsform import MEDIA_KINDS, REFUSED_UPLOAD, Field, Form, Node, Section

__all__ = ["take_uploads", "upload_prefix"]

_INDEX_RE = re.compile(r"\[\d+\]")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def _node_at(form: Form, key: str) -> Node | None:
    """The node a field key (``members[2]/photo``) names, following its groups (names may repeat)."""
    nodes: list[Node] = form.children
    found: Node | None = None
    for name in _INDEX_RE.sub("", key).split("/"):
        found = next((node for node in nodes if node.name == name), None)
        if found is None:
            return None
        nodes = found.children if isinstance(found, Section) else []
    return found


def upload_prefix(case: SurveyCase) -> str:
    """The storage folder of one household's uploads."""
    return f"survey-uploads/{case.survey_id}/{case.pk}/"


def _looks_like_image(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = bytes(upload.read(16))
    upload.seek(0)
    is_webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    is_heic = head[4:8] == b"ftyp"
    return head.startswith(_IMAGE_MAGIC) or is_webp or is_heic


def _acceptable(kind: str, upload: UploadedFile) -> bool:
    endings, limit = MEDIA_KINDS[kind]
    ending = PurePosixPath(upload.name or "").suffix.lower()
    size = upload.size or 0
    if ending not in endings or not 0 < size <= limit:
        return False
    return kind != "image" or _looks_like_image(upload)


def take_uploads(
    form: Form, posted: PostedPage, files: Mapping[str, UploadedFile], case: SurveyCase
) -> PostedPage:
    """``posted`` with each shown upload question's value replaced by the stored file's name."""
    values: dict[str, Any] = dict(posted.values)
    prefix = upload_prefix(case)
    for key in posted.shown:
        node = _node_at(form, key)
        if not isinstance(node, Field) or node.kind not in MEDIA_KINDS:
            continue
        upload = files.get(key)
        if upload is None:
            values[key] = [v for v in values.get(key, []) if str(v).startswith(prefix)][:1]
        elif not _acceptable(node.kind, upload):
            values[key] = [REFUSED_UPLOAD + node.kind]
        else:
            ending = PurePosixPath(upload.name or "").suffix.lower()
            values[key] = [default_storage.save(f"{prefix}{uuid.uuid4().hex}{ending}", upload)]
    return dataclasses.replace(posted, values=values)
