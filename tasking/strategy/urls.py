"""The control strategy pages, at /tasking/strategies/ (names "tasking:<name>")."""

from django.urls import include, path

from tasking.strategy import requirement_views as requirement
from tasking.strategy import views as strategy

strategy_pages = [
    path("", strategy.strategy_list, name="strategy_list"),
    path("new/", strategy.strategy_draft, name="strategy_draft"),
    path("requirement/", requirement.requirement_current, name="requirement_current"),
    path("<int:pk>/", strategy.strategy_detail, name="strategy_detail"),
    path("<int:pk>/approve/", strategy.strategy_approve, name="strategy_approve"),
    path("<int:pk>/priorities/add/", strategy.priority_add, name="priority_add"),
    path(
        "<int:pk>/priorities/<int:priority_pk>/edit/",
        strategy.priority_edit,
        name="priority_edit",
    ),
    path(
        "<int:pk>/priorities/<int:priority_pk>/score/",
        strategy.priority_score,
        name="priority_score",
    ),
    path(
        "<int:pk>/priorities/<int:priority_pk>/rank/",
        strategy.priority_override,
        name="priority_override",
    ),
    path(
        "<int:pk>/priorities/<int:priority_pk>/items/add/",
        requirement.item_add,
        name="requirement_item_add",
    ),
    path("<int:pk>/requirement/", requirement.requirement_detail, name="requirement_detail"),
    path(
        "<int:pk>/requirement/approve/",
        requirement.requirement_approve,
        name="requirement_approve",
    ),
    path(
        "<int:pk>/requirement/items/<int:item_pk>/",
        requirement.item_detail,
        name="requirement_item_detail",
    ),
    path(
        "<int:pk>/requirement/items/<int:item_pk>/products/",
        requirement.item_product_link,
        name="requirement_item_product_link",
    ),
    path(
        "<int:pk>/requirement/items/<int:item_pk>/products/<int:link_pk>/unlink/",
        requirement.item_product_unlink,
        name="requirement_item_product_unlink",
    ),
    path(
        "<int:pk>/requirement/items/<int:item_pk>/edit/",
        requirement.item_edit,
        name="requirement_item_edit",
    ),
    path(
        "<int:pk>/requirement/items/<int:item_pk>/close/",
        requirement.item_close,
        name="requirement_item_close",
    ),
]

urlpatterns = [path("strategies/", include(strategy_pages))]
