"""Demo data for `manage.py seed_demo`: the hierarchy of England and Wales and the demo people."""
