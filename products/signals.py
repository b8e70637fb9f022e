"""Signals that connect the products app to the apps above it (tasking, partners).

Sent only after the transaction commits, with ids, never model instances: receivers fetch what
they need. Core rules never live in receivers.
"""

from django.dispatch import Signal

# Sent with product_id and version_id once a product's version is approved and published.
product_approved = Signal()
