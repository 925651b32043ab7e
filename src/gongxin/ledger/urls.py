"""Pages of the ledger app, mounted at /ledger/."""


app_name = "ledger"

urlpatterns: list = []
