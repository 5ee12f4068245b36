from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from .permissions import second_factor_required

# Pages a signed-in person may reach before their second factor is in place.
OPEN_PATHS = ("/static/", "/accessibility/", "/privacy/", "/cookies/")


class SecondFactorRequiredMiddleware:
    """Managers and analysts use nothing until their second factor has been used this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not request.path.startswith(OPEN_PATHS):
            set_up = reverse("two-factor-set-up")
            allowed = {set_up, reverse("sign-out")}
            if request.path not in allowed and second_factor_required(user):
                if user_has_device(user, confirmed=True):
                    # Signed in some other way than the code step (e.g. a session from before the
                    # role was given): make them sign in again, properly.
                    logout(request)
                    return redirect("sign-in")
                return redirect(set_up)
        return self.get_response(request)
