"""CVSS 3.x and 4.0 vectors scored with the `cvss` library (RedHat's), never a home-made calculator."""

from __future__ import annotations

from cvss import CVSS3, CVSS4
from cvss.exceptions import CVSSError


class SeverityError(ValueError):
    """A CVSS vector that does not parse; the message names the document and the field."""


def score_vector(vector: str, *, document: str = "", where: str = "") -> float:
    """The base score of a CVSS:3.0/3.1/4.0 vector. Raises SeverityError naming `document` and `where`."""
    try:
        if vector.startswith("CVSS:4.0/"):
            return float(CVSS4(vector).base_score)
        if vector.startswith("CVSS:3."):
            return float(CVSS3(vector).scores()[0])
    except CVSSError as error:
        raise SeverityError(f"{document}: {where}: CVSS ベクトル「{vector}」を読めません: {error}") from error
    raise SeverityError(f"{document}: {where}: CVSS 3.x/4.0 のベクトルではありません(「{vector}」)")
