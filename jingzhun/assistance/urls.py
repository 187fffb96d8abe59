"""The assistance module's pages; each area adds its own list below."""

from django.urls import path  # noqa: F401

from .views import loans

app_name = "assistance"

urlpatterns: list = []

# 小额信贷 (loans)
urlpatterns += [
    path("loans/", loans.loan_list, name="loan_list"),
    path("households/<str:code>/loans/new/", loans.loan_new, name="loan_new"),
    path("loans/<int:loan_id>/", loans.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/edit/", loans.loan_edit, name="loan_edit"),
    path("loans/<int:loan_id>/installments/<int:installment_id>/pay/", loans.installment_pay, name="installment_pay"),
    path("loans/<int:loan_id>/settle/", loans.loan_settle, name="loan_settle"),
]
