"""Marshmallow schemas: the one definition of valid input for services, API and forms."""
