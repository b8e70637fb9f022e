"""The admins' staff pages, included at /staff/: units, people, the audit log and the jobs."""

from django.urls import include, path

from nim_portal.views import audit, jobs, people, units

unit_patterns = (
    [
        path("", units.unit_tree, name="tree"),
        path("<int:pk>/", units.unit_detail, name="detail"),
        path("<int:pk>/add/", units.unit_create, name="create"),
        path("<int:pk>/rename/", units.unit_rename, name="rename"),
        path("<int:pk>/move/", units.unit_move, name="move"),
        path("<int:pk>/deactivate/", units.unit_deactivate, name="deactivate"),
        path("<int:pk>/reactivate/", units.unit_reactivate, name="reactivate"),
    ],
    "units",
)

people_patterns = (
    [
        path("", people.people_list, name="list"),
        path("new/", people.person_create, name="create"),
        path("<int:pk>/", people.person_detail, name="detail"),
        path("<int:pk>/vetting/", people.person_vetting, name="vetting"),
        path("<int:pk>/roles/", people.membership_grant, name="grant"),
        path(
            "<int:pk>/roles/<int:membership_pk>/revoke/",
            people.membership_revoke,
            name="revoke",
        ),
    ],
    "people",
)

audit_patterns = (
    [
        path("", audit.audit_log, name="log"),
        path("export.csv", audit.audit_export, name="export"),
    ],
    "audit",
)

job_patterns = (
    [
        path("", jobs.job_list, name="list"),
        path("<int:pk>/retry/", jobs.job_retry, name="retry"),
    ],
    "jobs",
)

urlpatterns = [
    path("units/", include(unit_patterns)),
    path("people/", include(people_patterns)),
    path("audit/", include(audit_patterns)),
    path("jobs/", include(job_patterns)),
]
