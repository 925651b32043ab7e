from django.templatetags.static import static
from django.urls import path
from django.views.generic.base import RedirectView

from gongxin.portal import views, views_office

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("org/<str:uscc>/", views.organization, name="organization"),
    path("publicity/", views.publicity, name="publicity"),
    path("guide/voluntary-performance/", views.voluntary_performance, name="voluntary_performance"),
    path("workbench/", views.workbench, name="workbench"),
    # The credit office's pages of a subject and of a record (views_office: staff or audit, provenance shown).
    path("office/subjects/<int:subject_id>/", views_office.subject_office, name="office_subject"),
    path("office/records/<int:record_id>/", views_office.record_office, name="office_record"),
    path("card/<str:uscc>/", views.card, name="card"),
    path("card/<str:uscc>/qr.svg", views.card_qr_svg, name="card_qr_svg"),
    path("card/<str:uscc>/qr.png", views.card_qr_png, name="card_qr_png"),
    # Browsers and crawlers ask for /favicon.ico whatever the page links: the platform's icon, not a 404.
    path("favicon.ico", RedirectView.as_view(url=static("portal/favicon.svg"), permanent=True), name="favicon"),
]
