"""The assistance module's pages; each area adds its own list below."""

from django.urls import path

from .views import file as file_views
from .views import loans

app_name = "assistance"

urlpatterns: list = []

# 一户一档 and 明白卡 (file)
urlpatterns += [
    path("households/<str:code>/file/", file_views.household_file, name="household_file"),
    path("households/<str:code>/file.pdf", file_views.household_file_pdf, name="household_file_pdf"),
    path("households/<str:code>/card.pdf", file_views.household_card_pdf, name="household_card_pdf"),
    path("villages/<str:code>/cards.pdf", file_views.village_cards_pdf, name="village_cards_pdf"),
]

# 小额信贷 (loans)
urlpatterns += [
    path("loans/", loans.loan_list, name="loan_list"),
    path("households/<str:code>/loans/new/", loans.loan_new, name="loan_new"),
    path("loans/<int:loan_id>/", loans.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/edit/", loans.loan_edit, name="loan_edit"),
    path("loans/<int:loan_id>/installments/<int:installment_id>/pay/", loans.installment_pay, name="installment_pay"),
    path("loans/<int:loan_id>/settle/", loans.loan_settle, name="loan_settle"),
]
