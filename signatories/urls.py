"""Signer-facing pages, under the language prefix (/fr/, /en/)."""

from django.urls import path

from . import views

app_name = "signatories"

urlpatterns = [
    path("signer/<slug:slug>/", views.sign, name="sign"),
    path("signer/<slug:slug>/merci/", views.check_inbox, name="check_inbox"),
    path("signature/renvoyer/", views.resend, name="resend"),
    path("signature/confirmer/<str:token>/", views.confirm, name="confirm"),
    path("signature/retirer/<str:token>/", views.withdraw, name="withdraw"),
    path("signature/mes-donnees/", views.data_request, name="data_request"),
    path("signature/mes-donnees/<str:token>/", views.data_copy, name="data_copy"),
    path("signataires/<slug:slug>/", views.public_list, name="public_list"),
]
