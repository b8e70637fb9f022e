"""The partners app's pages, included at /partners/ under the namespace "partners".

Staff (police) pages: partner agencies and their people (`agency_patterns`, admins), and
releases (`release_patterns`: the list, preparing one, its page and its actions). The partner
area, for partner users only, is `partner_area_patterns`, included at /partners/area/.
"""

from django.urls import include, path

from partners.views import agencies, partner_area, releases

app_name = "partners"

# Under /partners/agencies/: admins manage agencies, their agreements and their people.
agency_patterns = [
    path("", agencies.agency_list, name="agency_list"),
    path("new/", agencies.agency_create, name="agency_create"),
    path("<int:pk>/", agencies.agency_detail, name="agency_detail"),
    path("<int:pk>/edit/", agencies.agency_update, name="agency_update"),
    path("<int:pk>/people/add/", agencies.agency_user_add, name="agency_user_add"),
    path(
        "<int:pk>/people/<int:membership_pk>/remove/",
        agencies.agency_user_remove,
        name="agency_user_remove",
    ),
]

# Under /partners/releases/: police staff prepare, approve, watch and withdraw releases.
release_patterns = [
    path("", releases.release_list, name="release_list"),
    path("prepare/", releases.release_choose_version, name="release_choose_version"),
    path(
        "prepare/<int:product_pk>/<int:number>/",
        releases.release_prepare,
        name="release_prepare",
    ),
    path("<int:pk>/", releases.release_detail, name="release_detail"),
    path("<int:pk>/warnings/", releases.release_acknowledge_warnings, name="release_warnings"),
    path("<int:pk>/approve/", releases.release_approve, name="release_approve"),
    path("<int:pk>/withdraw/", releases.release_withdraw, name="release_withdraw"),
    path("<int:pk>/documents/", releases.release_documents, name="release_documents"),
    path(
        "<int:pk>/documents/<int:document_pk>/retry/",
        releases.release_document_retry,
        name="release_document_retry",
    ),
]

# Under /partners/area/: the partner users' own pages.
partner_area_patterns = [
    path("", partner_area.release_list, name="area_releases"),
    path("<int:pk>/", partner_area.release_detail, name="area_release"),
    path("<int:pk>/accept/", partner_area.release_acknowledge, name="area_acknowledge"),
    path("<int:pk>/copy/", partner_area.release_copy, name="area_copy"),
    path("<int:pk>/download/", partner_area.release_download, name="area_download"),
]

urlpatterns = [
    path("agencies/", include(agency_patterns)),
    path("releases/", include(release_patterns)),
    path("area/", include(partner_area_patterns)),
]
