"""Sign-in and sign-out for the pages: session + CSRF, throttled, every attempt audited (SPEC §8)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from backend.tenancy.models import Membership, SignInEvent

from . import throttle


class SignInForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label="密码", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _audit(username: str, user, succeeded: bool, ip: str | None) -> None:
    membership = (Membership.objects.filter(user=user).first() if user is not None
                  else Membership.objects.filter(user__username=username).first())
    if membership is not None:  # unknown names have no tenant to log under
        SignInEvent.objects.create(tenant_id=membership.tenant_id, user_id=membership.user_id, username=username,
                                   succeeded=succeeded, channel="web", ip=ip)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/"


@never_cache
@csrf_protect
def sign_in(request):
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username, ip = form.cleaned_data["username"], client_ip(request)
        if throttle.blocked(username, ip):
            _audit(username, None, False, ip)
            form.add_error(None, f"登录失败次数过多，请{throttle.window_minutes()}分钟后再试。")
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            member = user is not None and Membership.objects.filter(user=user).exists()
            if member:
                login(request, user)
                throttle.reset_user(username)
                _audit(username, user, True, ip)
                return redirect(_next_url(request))
            throttle.record_failure(username, ip)
            _audit(username, None, False, ip)
            form.add_error(None, "用户名或密码错误。" if user is None else "该账号未分配所属单位，不能登录。")
    return render(request, "web/sign_in.html", {"form": form, "next": _next_url(request)})


@require_POST
def sign_out(request):
    logout(request)
    return redirect("web:sign-in")
