"""A pooled PostgreSQL connection the server dropped is replaced before a request uses it."""

import psycopg2
import pytest

from registry.db import db
from tests.conftest import POSTGRES_URL


@pytest.mark.postgresql
def test_a_request_after_the_server_dropped_the_pool_answers(app, client):
    db.close()  # the pool keeps it; requests now take their connection from the pool
    assert client.get("/").status_code == 200
    admin = psycopg2.connect(POSTGRES_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s", (db.obj.database,))
    admin.close()
    assert client.get("/").status_code == 200
