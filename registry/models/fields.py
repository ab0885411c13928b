"""Column types shared by the models."""

import json

from peewee import TextField


class JSONField(TextField):
    """JSON kept as text, with sorted keys, so SQLite and PostgreSQL store the same bytes."""

    def db_value(self, value):
        if value is None:
            return None
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)

    def python_value(self, value):
        if value is None:
            return None
        return json.loads(value)
