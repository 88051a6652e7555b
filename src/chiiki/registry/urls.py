from django.urls import path

from chiiki.registry import views

app_name = "registry"
urlpatterns = [
    path("staff/m/<str:code>/registry/", views.household_list, name="households"),
    path(
        "staff/m/<str:code>/registry/households/<int:household_id>/", views.household_detail, name="household"
    ),
    path("staff/m/<str:code>/registry/import/", views.upload, name="import"),
]
