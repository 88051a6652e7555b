from django.urls import path

from chiiki.linkage import views

# Object ids are <str:…> and parsed in the views: the permission check on <code> always runs first.
app_name = "linkage"
urlpatterns = [
    path("staff/m/<str:code>/linkage/", views.run_list, name="runs"),
    path("staff/m/<str:code>/linkage/runs/<str:run_id>/", views.run_detail, name="run"),
    path("staff/m/<str:code>/linkage/runs/<str:run_id>/links.csv", views.links_export, name="links_export"),
    path("staff/m/<str:code>/linkage/runs/<str:run_id>/cases/<str:case_id>/", views.case_detail, name="case"),
    path(
        "staff/m/<str:code>/linkage/runs/<str:run_id>/cases/<str:case_id>/confirm/",
        views.confirm,
        name="confirm",
    ),
]
