"""Pages of the partners app. Views parse and render: every read goes through
partners.selectors and every change through partners.services."""
