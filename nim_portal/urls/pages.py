from django.urls import include, path

from nim_portal.views import dashboard, health, notifications, search

notification_patterns = (
    [
        path("", notifications.notification_list, name="list"),
        path("<int:pk>/open/", notifications.notification_open, name="open"),
        path("<int:pk>/read/", notifications.notification_read, name="read"),
        path("read/", notifications.notifications_read_all, name="read_all"),
    ],
    "notifications",
)

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("jobs/", include("nim_portal.urls.job_progress")),
    path("notifications/", include(notification_patterns)),
    path("search/", search.search, name="search"),
    path("staff/", include("nim_portal.urls.staff")),
]
