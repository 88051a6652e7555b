"""System checks of core's settings, run by `chiiki check --deploy` (docs/production-checklist.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def trusted_proxies_set(app_configs: Any, **kwargs: Any) -> list[Warning]:
    """Behind the reverse proxy every request comes from the proxy: without CHIIKI_TRUSTED_PROXIES the login
    back-off and the audit log would see one address for everybody."""
    if settings.CHIIKI_TRUSTED_PROXIES:
        return []
    return [
        Warning(
            "CHIIKI_TRUSTED_PROXIES is empty: behind a reverse proxy every client has the proxy's address.",
            hint="Set it to the address of the reverse proxy, e.g. CHIIKI_TRUSTED_PROXIES=127.0.0.1",
            id="chiiki.W001",
        )
    ]
