"""The User-Agent classifier: phones, tablets, computers, and nonsense never raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.surveys.device import DeviceClass, classify_device

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
ANDROID_PHONE = (
    "Mozilla/5.0 (Linux; Android 14; SO-51D) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36"
)
ANDROID_TABLET = (
    "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
OLD_IPAD = (
    "Mozilla/5.0 (iPad; CPU OS 12_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/12.1 Mobile/15E148 Safari/604.1"
)
KINDLE = (
    "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/120.3.1 like Chrome"
)
WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)
MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
LINUX_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
FEATURE_PHONE = "DoCoMo/2.0 P906i(c100;TB;W24H15)"
RAKU_RAKU = (
    "Mozilla/5.0 (Linux; Android 12; F-52B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36"
)


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (IPHONE, DeviceClass.MOBILE),
        (ANDROID_PHONE, DeviceClass.MOBILE),
        (RAKU_RAKU, DeviceClass.MOBILE),
        (FEATURE_PHONE, DeviceClass.MOBILE),
        (ANDROID_TABLET, DeviceClass.TABLET),
        (OLD_IPAD, DeviceClass.TABLET),
        (KINDLE, DeviceClass.TABLET),
        (WINDOWS, DeviceClass.DESKTOP),
        (MAC, DeviceClass.DESKTOP),
        (LINUX_FIREFOX, DeviceClass.DESKTOP),
        ("", DeviceClass.UNKNOWN),
        (None, DeviceClass.UNKNOWN),
        ("curl/8.5.0", DeviceClass.UNKNOWN),
        ("Googlebot/2.1 (+http://www.google.com/bot.html)", DeviceClass.UNKNOWN),
    ],
)
def test_a_user_agent_is_classed_by_its_device(agent: str | None, expected: DeviceClass) -> None:
    assert classify_device(agent) is expected


def test_the_class_is_a_plain_string_for_storage() -> None:
    assert str(classify_device(IPHONE)) == "mobile"


@given(st.text(max_size=300))
def test_any_text_gets_one_of_the_four_classes(agent: str) -> None:
    assert classify_device(agent) in set(DeviceClass)


@given(st.text(alphabet="0123456789 ;/()._-", max_size=80))
def test_an_ipad_is_a_tablet_whatever_follows(noise: str) -> None:
    assert classify_device(f"Mozilla/5.0 (iPad; {noise})") is DeviceClass.TABLET
