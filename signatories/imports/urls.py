"""URLs of the imports and exports admin screens."""

from django.urls import path

from . import views

app_name = "imports_admin"
urlpatterns = [
    path("", views.ImportIndexView.as_view(), name="index"),
    path("new/", views.ImportCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ImportDetailView.as_view(), name="detail"),
    path("<int:pk>/confirm/", views.confirm_view, name="confirm"),
    path("<int:pk>/progress.json", views.progress_view, name="progress"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("export/log/", views.ExportLogView.as_view(), name="export_log"),
]
