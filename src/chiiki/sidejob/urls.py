"""Side-job pages. They keep the /talent/… addresses they had when they were part of the talent bank, so
bookmarks and links in people's mail still work; only the URL names moved to the `sidejob` namespace."""

from django.urls import path

from chiiki.sidejob import views

app_name = "sidejob"
urlpatterns = [
    path("talent/me/hours/", views.me_hours, name="me_hours"),
    path("talent/me/hours/model/", views.me_hours_model, name="me_hours_model"),
    path("talent/hours-models/<int:pk>/", views.management_model_detail, name="management_model"),
    path("talent/organizations/<int:pk>/contracts/new/", views.contract_new, name="contract_new"),
    path("talent/contracts/<int:pk>/", views.contract_detail, name="contract"),
]
