from django.urls import path

from chiiki.procedures import resident, views

app_name = "procedures"
_A = "staff/m/<str:code>/procedures/allowances/<int:allowance_id>/"
urlpatterns = [
    path("benefits/confirm/", resident.sign_in, name="confirm"),
    path("benefits/confirm/answer/", resident.answer, name="confirm_answer"),
    path("staff/m/<str:code>/procedures/", views.index, name="index"),
    path("staff/m/<str:code>/procedures/allowances/new/", views.define, name="define"),
    path(_A, views.allowance_detail, name="allowance"),
    path(_A + "runs/<int:run_id>/", views.run_detail, name="run"),
    path(_A + "runs/<int:run_id>/notices.pdf", views.notices_pdf, name="notices_pdf"),
    path(_A + "follow-up/", views.follow_up, name="follow_up"),
    path(_A + "payments/", views.create_payment, name="create_payment"),
    path(_A + "payments/<int:batch_id>/file", views.payment_file, name="payment_file"),
    path("staff/m/<str:code>/procedures/data/", views.load_data, name="load_data"),
    path("staff/m/<str:code>/procedures/assist/", views.assist, name="assist"),
    path(
        "staff/m/<str:code>/procedures/assist/<int:entitlement_id>/",
        views.assist_answer,
        name="assist_answer",
    ),
]
