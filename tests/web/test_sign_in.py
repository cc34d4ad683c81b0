"""Web sign-in (SPEC §8): session + CSRF, throttled failures, every attempt in the sign-in audit."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.tenancy.models import SignInEvent
from backend.web import throttle

from .helpers import PASSWORD


@pytest.fixture
def fresh_throttle():
    yield
    throttle.reset("370683-town_office", "127.0.0.1")
    throttle.reset("370683-first_helper", "127.0.0.1")


def test_pages_need_a_signed_in_member(cast):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/")


def test_sign_in_starts_a_session_and_is_audited(cast, fresh_throttle):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    assert "登录" in page.content.decode()
    token = page.cookies["csrftoken"].value
    response = client.post("/login/", {"username": "370683-town_office", "password": PASSWORD,
                                       "csrfmiddlewaretoken": token, "next": "/town/pairing/"})
    assert response.status_code == 302 and response["Location"] == "/town/pairing/"
    assert client.get("/").status_code == 200
    event = SignInEvent.objects.get(username="370683-town_office")
    assert event.succeeded and event.channel == "web" and event.tenant == cast.tenant


def test_sign_in_refuses_a_post_without_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "370683-town_office", "password": PASSWORD})
    assert response.status_code == 403
    assert not SignInEvent.objects.exists()


def test_sign_in_does_not_follow_a_next_url_to_another_site(cast, fresh_throttle):
    response = Client().post("/login/", {"username": "370683-town_office", "password": PASSWORD,
                                         "next": "https://example.com/"})
    assert response["Location"] == "/"


def test_failed_sign_ins_are_audited_and_then_throttled(cast, settings, fresh_throttle):
    client = Client()
    for _ in range(settings.BANGFU_LOGIN_FAILURES_PER_USER):
        page = client.post("/login/", {"username": "370683-first_helper", "password": "wrong-password"})
        assert "用户名或密码错误" in page.content.decode()
    page = client.post("/login/", {"username": "370683-first_helper", "password": PASSWORD})
    assert "登录失败次数过多" in page.content.decode()
    assert "_auth_user_id" not in client.session
    failed = SignInEvent.objects.filter(username="370683-first_helper", succeeded=False)
    assert failed.count() == settings.BANGFU_LOGIN_FAILURES_PER_USER + 1
    # Another person at the same address is not locked out by someone else's failures.
    assert Client().post("/login/", {"username": "370683-town_office", "password": PASSWORD}).status_code == 302


def test_sign_out_needs_a_post_and_ends_the_session(cast):
    client = Client()
    client.force_login(cast.users["town_office"])
    assert client.get("/logout/").status_code == 405
    client.post("/logout/")
    assert client.get("/").status_code == 302


def test_a_login_without_a_membership_cannot_use_the_pages(db, fresh_throttle):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("stray", password=PASSWORD)
    page = Client().post("/login/", {"username": "stray", "password": PASSWORD})
    assert "未分配所属单位" in page.content.decode()
    throttle.reset("stray", "127.0.0.1")
