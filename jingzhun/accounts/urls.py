from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", views.otp_enrol, name="otp_enrol"),
    path("2fa/verify/", views.otp_verify, name="otp_verify"),
    # 接口令牌 (docs/api.md): the system administrator's pages for service accounts and API tokens
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/accounts/new/", views.service_account_new, name="service_account_new"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke_view, name="token_revoke"),
]
