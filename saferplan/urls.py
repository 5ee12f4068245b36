from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import TemplateView

from saferplan import pages
from saferplan.delivery.api import api as delivery_api
from saferplan.partnership import signin
from saferplan.partnership import views as partnership_views

password_reset = [
    path(
        "password-reset/",
        signin.PasswordReset.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="signin/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="signin/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="signin/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(template_name="signin/password_change.html"),
        name="password_change",
    ),
    path(
        "account/password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="signin/password_change_done.html"),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", pages.home, name="home"),
    path("sign-in/", signin.sign_in, name="sign-in"),
    path("sign-in/code/", signin.sign_in_code, name="sign-in-code"),
    path("sign-out/", signin.sign_out, name="sign-out"),
    path("account/", signin.account, name="account"),
    path("account/two-factor/", signin.set_up_second_factor, name="two-factor-set-up"),
    path("account/recovery-codes/", signin.new_recovery_codes, name="recovery-codes"),
    path("invitation/<str:token>/", partnership_views.accept_invitation, name="accept-invitation"),
    *password_reset,
    path("accessibility/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("cookies/", TemplateView.as_view(template_name="pages/cookies.html"), name="cookies"),
    path("operator/", include("saferplan.operator.urls")),
    path("logo/<slug:slug>/", pages.partnership_logo, name="partnership-logo"),
    path("consult/", include("saferplan.consultation.public_urls")),
    path("p/<slug:slug>/", include("saferplan.partnership.urls")),
    path("p/<slug:slug>/assessment/", include("saferplan.assessment.urls")),
    path("p/<slug:slug>/consultation/", include("saferplan.consultation.urls")),
    path("p/<slug:slug>/plan/", include("saferplan.planning.urls")),
    path("p/<slug:slug>/delivery/", include("saferplan.delivery.urls")),
    path("published/", include("saferplan.planning.public_urls")),
    # The read API for partners' BI tools (token per partnership; schema at /api/v1/openapi.json).
    path("api/v1/", delivery_api.urls),
]

handler403 = pages.forbidden
handler404 = pages.not_found
handler500 = pages.server_error
