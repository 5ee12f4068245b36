"""Signing in: password, then a second factor (TOTP or a recovery code), with lockout.

The password step never logs the user in when they have a second factor: it keeps their id in the
session as "pending" and asks for the code, so a stolen password alone opens nothing. People whose
role requires a second factor and who have none yet are signed in and then sent to set one up
before any other page (``SecondFactorRequiredMiddleware``).
"""
from __future__ import annotations

import base64
import io
import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, login as otp_login, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import CodeForm, SignInForm
from .permissions import second_factor_required

PENDING_USER = "saferplan_pending_user"
PENDING_BACKEND = "saferplan_pending_backend"
PENDING_NEXT = "saferplan_pending_next"
RECOVERY_CODE_COUNT = 10


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@sensitive_post_parameters("password")
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["email"].lower(), password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            form.add_error(None, "Enter a correct email address and password")
        else:
            next_url = _safe_next(request, reverse("home"))
            if user_has_device(user, confirmed=True):
                request.session.cycle_key()
                request.session[PENDING_USER] = user.pk
                request.session[PENDING_BACKEND] = user.backend
                request.session[PENDING_NEXT] = next_url
                return redirect("sign-in-code")
            login(request, user)
            return redirect(next_url)
    return render(request, "signin/sign_in.html", {"form": form, "next": request.GET.get("next", "")})


def _verify(user, code: str):
    """(device that accepted the code, or None; seconds to wait if guessing is being throttled).

    Recovery codes are used up once accepted. After each wrong code django-otp makes the
    authenticator device wait twice as long before it will check another.
    """
    wait = 0
    for device in devices_for_user(user, confirmed=True):
        allowed, info = device.verify_is_allowed() if hasattr(device, "verify_is_allowed") else (True, None)
        if not allowed and info and info.get("locked_until"):
            wait = max(wait, int((info["locked_until"] - timezone.now()).total_seconds()) + 1)
        if device.verify_token(code):
            return device, 0
    return None, wait


@sensitive_post_parameters("code")
def sign_in_code(request):
    user_id = request.session.get(PENDING_USER)
    if not user_id:
        return redirect("sign-in")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        request.session.flush()
        return redirect("sign-in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, wait = _verify(user, form.cleaned_data["code"])
        if device is None and wait:
            form.add_error("code", f"Too many wrong codes. Wait {wait} seconds, then enter the newest code")
        elif device is None:
            form.add_error("code", "The security code is not right, or has expired. Try the newest code")
        else:
            next_url = request.session.get(PENDING_NEXT) or reverse("home")
            user.backend = request.session[PENDING_BACKEND]
            login(request, user)
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.success(request, f"You signed in with a recovery code. You have {left} left.")
            return redirect(next_url)
    return render(request, "signin/code.html", {"form": form})


# At most this many reset links a time window: per address, so nobody can flood someone's inbox,
# and per client, so one machine cannot walk a list of addresses. The counters live in the cache,
# which in every environment is the database cache shared by all web processes.
PASSWORD_RESET_RATE_PER_ADDRESS = "3/h"
PASSWORD_RESET_RATE_PER_CLIENT = "10/h"


def password_reset_throttled(request, email: str) -> bool:
    """True if this request must not send a link; counts it either way."""
    from django_ratelimit.core import is_ratelimited

    address = email.strip().lower()
    by_address = is_ratelimited(request, group="password-reset-address", key=lambda group, request: address,
                                rate=PASSWORD_RESET_RATE_PER_ADDRESS, method="POST", increment=True)
    by_client = is_ratelimited(request, group="password-reset-client", key="ip",
                               rate=PASSWORD_RESET_RATE_PER_CLIENT, method="POST", increment=True)
    return by_address or by_client


class PasswordReset(auth_views.PasswordResetView):
    """Django's reset page, throttled. A throttled request gets the very page a sent link gets, so
    the answer never tells whether an address has an account, nor how often it was asked for."""

    template_name = "signin/password_reset.html"
    email_template_name = "signin/email/password_reset.txt"
    subject_template_name = "signin/email/password_reset_subject.txt"

    def form_valid(self, form):
        if password_reset_throttled(self.request, form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("sign-in")


def locked_out(request, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "signin/locked_out.html", {"minutes": minutes}, status=429)


def _totp_qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


def _secret_text(device: TOTPDevice) -> str:
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def issue_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with a new set and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@login_required
@sensitive_post_parameters("code")
def set_up_second_factor(request):
    """Scan a QR code (or type the key), then prove it works with one code."""
    if user_has_device(request.user, confirmed=True) and TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("account")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows for Saferplan"
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save()
                codes = issue_recovery_codes(request.user)
            otp_login(request, device)
            return render(request, "signin/recovery_codes.html", {"codes": codes, "first_time": True})
        form.add_error("code", "The code is not right. Check the time on your phone and try the newest code")
    return render(
        request,
        "signin/set_up.html",
        {
            "form": form,
            "qr_svg": _totp_qr_svg(device),
            "secret": _secret_text(device),
            "required": second_factor_required(request.user),
        },
    )


@login_required
@require_POST
def new_recovery_codes(request):
    if not request.user.is_verified():
        messages.success(request, "Sign in with your second factor before making new recovery codes.")
        return redirect("account")
    codes = issue_recovery_codes(request.user)
    return render(request, "signin/recovery_codes.html", {"codes": codes, "first_time": False})


@login_required
def account(request):
    from .permissions import roles_of

    totp = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    static = StaticDevice.objects.filter(user=request.user, confirmed=True).first()
    return render(
        request,
        "signin/account.html",
        {
            "totp": totp,
            "recovery_left": static.token_set.count() if static else 0,
            "required": second_factor_required(request.user),
            "roles": roles_of(request.user),
        },
    )
