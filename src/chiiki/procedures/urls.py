from django.urls import path

from chiiki.procedures import applying, email_account, mine, nearby, queue, resident, signin, views

app_name = "procedures"
_A = "staff/m/<str:code>/procedures/allowances/<int:allowance_id>/"
urlpatterns = [
    path("benefits/confirm/", resident.sign_in, name="confirm"),
    path("procedures/signin/", signin.start, name="signin"),
    path("procedures/signin/callback/", signin.callback, name="signin_callback"),
    path("benefits/confirm/answer/", resident.answer, name="confirm_answer"),
    # The resident's own application (before the catalog's <str:town>, which would take "my").
    path("procedures/my/", mine.sign_in, name="my_sign_in"),
    path("procedures/my/email/verify/", email_account.verify, name="email_verify"),
    path("procedures/my/account/", email_account.account_page, name="my_account"),
    path("procedures/my/application/", mine.status, name="my_application"),
    path("procedures/my/application/attachments/", mine.attachments, name="my_attachments"),
    path("procedures/my/application/review/", mine.review, name="my_review"),
    path("procedures/my/application/withdraw/", mine.withdraw, name="my_withdraw"),
    path("procedures/my/application/decision/download", mine.letter, name="my_letter"),
    # Resident pages take the municipality as <str:town>: public, not staff pages of a tenant. Help nearby, the
    # e-mail sign-in and the inbox come before the catalog's <slug:procedure_code>, which would take their names.
    path("procedures/<str:town>/email/", email_account.request_link, name="email_sign_in"),
    path("procedures/<str:town>/inbox/", resident.inbox, name="inbox"),
    path("procedures/<str:town>/help/", nearby.directory, name="help"),
    path("procedures/<str:town>/help/cancel/", nearby.cancel, name="help_cancel"),
    path("procedures/<str:town>/help/<int:help_point_id>/", nearby.point_page, name="help_point"),
    path("procedures/<str:town>/help/slots/<int:slot_id>/book/", nearby.book, name="help_book"),
    path("procedures/<str:town>/", applying.catalog, name="catalog"),
    path("procedures/<str:town>/dictionary.json", applying.dictionary_json, name="dictionary_json"),
    path("procedures/<str:town>/<slug:procedure_code>/", applying.procedure_page, name="procedure"),
    path("procedures/<str:town>/<slug:procedure_code>/apply/", applying.apply, name="apply"),
    path("procedures/<str:town>/<slug:procedure_code>/form.xlsx", applying.form_xlsform, name="form_xlsform"),
    path(
        "procedures/<str:town>/<slug:procedure_code>/form.json", applying.form_description, name="form_json"
    ),
    path("staff/m/<str:code>/procedures/", views.index, name="index"),
    path("staff/m/<str:code>/procedures/applications/", views.applications, name="applications"),
    path("staff/m/<str:code>/procedures/queue/", queue.queue, name="queue"),
    path(
        "staff/m/<str:code>/procedures/applications/<int:application_id>/",
        queue.application,
        name="application",
    ),
    path(
        "staff/m/<str:code>/procedures/applications/<int:application_id>/files/<int:attachment_id>/download",
        queue.attachment,
        name="attachment",
    ),
    path(
        "staff/m/<str:code>/procedures/applications/<int:application_id>/decision/download",
        queue.letter,
        name="letter",
    ),
    path("staff/m/<str:code>/procedures/applications.csv", views.applications_csv, name="applications_csv"),
    path("staff/m/<str:code>/procedures/catalog/", views.load_catalog, name="load_catalog"),
    path("staff/m/<str:code>/procedures/import/", views.import_standard, name="import_standard"),
    path(
        "staff/m/<str:code>/procedures/assist/apply/<slug:procedure_code>/",
        views.assist_apply,
        name="assist_apply",
    ),
    path("staff/m/<str:code>/procedures/allowances/new/", views.define, name="define"),
    path(_A, views.allowance_detail, name="allowance"),
    path(_A + "runs/<int:eligibility_run_id>/", views.run_detail, name="run"),
    path(_A + "runs/<int:eligibility_run_id>/notices.pdf", views.notices_pdf, name="notices_pdf"),
    path(_A + "follow-up/", views.follow_up, name="follow_up"),
    path(_A + "payments/", views.create_payment, name="create_payment"),
    path(_A + "payments/<int:batch_id>/file", views.payment_file, name="payment_file"),
    path("staff/m/<str:code>/procedures/help/", nearby.staff_points, name="help_staff"),
    path("staff/m/<str:code>/procedures/help/new/", nearby.staff_point, name="help_staff_new"),
    path(
        "staff/m/<str:code>/procedures/help/<int:help_point_id>/", nearby.staff_point, name="help_staff_point"
    ),
    path(
        "staff/m/<str:code>/procedures/help/<int:help_point_id>/bookings/",
        nearby.staff_bookings,
        name="help_staff_bookings",
    ),
    path("staff/m/<str:code>/procedures/data/", views.load_data, name="load_data"),
    path("staff/m/<str:code>/procedures/messages/", views.messages, name="messages"),
    path("staff/m/<str:code>/procedures/assist/", views.assist, name="assist"),
    path(
        "staff/m/<str:code>/procedures/assist/<int:entitlement_id>/",
        views.assist_answer,
        name="assist_answer",
    ),
]
