"""The bids of TT&CGs, at /tasking/bids/ (names "tasking:<name>")."""

from django.urls import include, path

from tasking.bids import views

bid_pages = [
    path("meetings/<int:meeting_pk>/", views.meeting_bids, name="meeting_bids"),
    path("meetings/<int:meeting_pk>/submit/", views.bid_submit, name="bid_submit"),
    path("<int:pk>/", views.bid_detail, name="bid_detail"),
    path("<int:pk>/rank/", views.bid_rank, name="bid_rank"),
    path("<int:pk>/accept/", views.bid_accept, name="bid_accept"),
    path("<int:pk>/decline/", views.bid_decline, name="bid_decline"),
    path("<int:pk>/defer/", views.bid_defer, name="bid_defer"),
]

urlpatterns = [path("bids/", include(bid_pages))]
