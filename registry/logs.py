"""Application logging: one line per event, never request bodies or personal data."""

import logging


def init_app(app):
    level = app.config["REGISTRY_SETTINGS"].log_level.upper()
    app.logger.setLevel(level)
    logging.getLogger("peewee").setLevel(logging.WARNING)
