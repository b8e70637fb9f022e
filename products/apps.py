from django.apps import AppConfig


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = "Intelligence products"

    def ready(self):
        from nim_portal.portal_sections import (
            police_users,
            register_dashboard_panel,
            register_navigation,
        )
        from products.views.register import my_work_panel

        register_navigation(
            key="products", label="Products", url_name="products:register", audience=police_users
        )
        register_dashboard_panel(
            key="products_my_work",
            template_name="products/includes/my_work.html",
            context=my_work_panel,
            audience=police_users,
        )
        register_product_search()
        register_print_job()
        register_choices_for_templates()
        register_unit_impacts()


def register_product_search() -> None:
    """Products in the site search, with the register's own search for every match."""
    from nim_portal.portal_sections import police_users
    from nim_portal.search import register_search_provider
    from products.search import register_search_url, search_products_for_site

    register_search_provider(
        key="products",
        label="Products",
        search=search_products_for_site,
        audience=police_users,
        more_url=register_search_url,
    )


def register_print_job() -> None:
    """Printing a published version is a job of the pipeline (nim_portal.jobs), its progress
    shown to the readers handed that print."""
    from nim_portal.job_progress import register_job_progress
    from nim_portal.jobs import register_job_kind
    from products import progress, services

    register_job_kind(
        services.VERSION_PRINT_JOB,
        label="Printed product version",
        run=services.product_version_print_render,
        on_failure=services.product_version_print_failed,
        on_retry=services.product_version_print_pending,
    )
    register_job_progress(services.VERSION_PRINT_JOB, progress.print_outcome_for)


def register_choices_for_templates() -> None:
    """The choices the products' templates compare a product's status or kind with."""
    from nim_portal.context_processors import register_template_choices
    from products.choices import FeedbackUsefulness, ProductKind, ProductStatus, ReviewStandard

    register_template_choices(ProductKind, ProductStatus, ReviewStandard, FeedbackUsefulness)


def register_unit_impacts() -> None:
    """A unit moved or deactivated reaches its open products (nim_portal.unit_impact)."""
    from django.db.models import Q

    from nim_portal.unit_impact import register_unit_impact
    from products.choices import ProductStatus
    from products.models import Product

    register_unit_impact(
        key="open_products",
        label="open products",
        model=Product,
        where=lambda: ~Q(status=ProductStatus.CLOSED),
    )
