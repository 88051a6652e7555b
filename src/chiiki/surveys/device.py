"""Device class (mobile, tablet, desktop) from a User-Agent string. Django-free.

Paradata need only the class of device, not the browser or its version, so a few ordered rules suffice: the
order matters because tablets often also say "Mobile" (Android tablets do not, iPads and Kindles do not) and
desktop browsers never say either. Modern iPads identify as Macintosh; without JavaScript that cannot be told
apart from a Mac, and counts them as desktop, which is what the server sees.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = ["DeviceClass", "classify_device"]


class DeviceClass(StrEnum):
    MOBILE = "mobile"
    TABLET = "tablet"
    DESKTOP = "desktop"
    UNKNOWN = "unknown"


_TABLET = re.compile(
    r"ipad|tablet|playbook|silk|kindle|nexus (7|9|10)|sm-t\d|gt-p\d|lenovo tab|mediapad|\bkfa|\btab\b",
    re.IGNORECASE,
)
_MOBILE = re.compile(
    r"mobile|iphone|ipod|android|windows phone|blackberry|bb10|opera mini|docomo|kddi|softbank|"
    r"up\.browser|fennec|webos",
    re.IGNORECASE,
)
_BOT = re.compile(r"bot\b|crawler|spider|curl/|wget/|python-requests", re.IGNORECASE)
_DESKTOP = re.compile(r"windows nt|macintosh|x11|linux|cros", re.IGNORECASE)


def classify_device(user_agent: str | None) -> DeviceClass:
    """The device class of a User-Agent string; UNKNOWN when it is empty or a robot."""
    agent = (user_agent or "").strip()
    if not agent or _BOT.search(agent):
        return DeviceClass.UNKNOWN
    if _TABLET.search(agent):
        return DeviceClass.TABLET
    # Android phones say "Mobile"; Android without it is a tablet (Google's own recommendation to vendors).
    if re.search(r"android", agent, re.IGNORECASE) and not re.search(r"mobile", agent, re.IGNORECASE):
        return DeviceClass.TABLET
    if _MOBILE.search(agent):
        return DeviceClass.MOBILE
    if _DESKTOP.search(agent):
        return DeviceClass.DESKTOP
    return DeviceClass.UNKNOWN
