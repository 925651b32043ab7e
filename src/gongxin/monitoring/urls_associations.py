"""Association pages (关联分析), mounted at /associations/ (staff and authorized purposes only)."""


app_name = "associations"

urlpatterns: list = []
