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
