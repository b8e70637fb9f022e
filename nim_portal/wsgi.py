import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nim_portal.settings")
application = get_wsgi_application()

# What is loaded by now lives as long as the worker: kept out of the collector's full passes,
# which otherwise walk all of it and stall the request that set them off for tens of
# milliseconds.
gc.collect()
gc.freeze()
