"""Pages of the products app. Views parse and render: every read goes through
products.selectors and every change through products.services."""
