"""The log's published texts, mounted at /.well-known/gongxin-ledger/ (public, text/plain, no personal data):
the latest checkpoint with its cosignatures, any checkpoint by tree size, the log's verifier keys and this
platform's cosigner key (decision 064)."""

from django.urls import path

from gongxin.ledger import views_wellknown

app_name = "ledger_wellknown"

urlpatterns = [
    path("checkpoint", views_wellknown.checkpoint_latest_text, name="checkpoint"),
    path("checkpoint/<int:tree_size>", views_wellknown.checkpoint_text, name="checkpoint_of_size"),
    path("log-keys", views_wellknown.log_keys, name="log_keys"),
    path("witness-key", views_wellknown.witness_key, name="witness_key"),
]
