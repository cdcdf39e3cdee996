"""On a phone: a union clerk signs in and finds the enterprises of the town."""

from __future__ import annotations

import pytest

from service.seed import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, screenshot

pytestmark = pytest.mark.e2e


def test_an_admin_signs_in_on_a_phone_and_sees_the_town(live_server, phone):
    phone.goto(live_server + "/admin/enterprises")
    phone.wait_for_url("**/login?target=*")  # sent to sign in first, and back afterwards
    assert phone.locator("h1").inner_text() == "登录"
    screenshot(phone, "03-login")
    phone.get_by_label("用户名").fill("admin")
    phone.get_by_label("密码").fill("wrong-password")
    phone.get_by_role("button", name="登录").click()
    assert phone.get_by_role("alert").inner_text() == "用户名或密码错误。"
    phone.get_by_label("密码").fill(DEMO_PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url("**/admin/enterprises")
    assert phone.locator("h1").inner_text() == "企业"
    assert phone.locator(".form-card").count() == 32
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "04-enterprises")
    phone.get_by_role("button", name="退出").click()
    phone.wait_for_url("**/login")
