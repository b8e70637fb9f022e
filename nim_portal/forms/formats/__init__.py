"""The portal's own formats for its language (settings.FORMAT_MODULE_PATH), over Django's."""
