"""Opening one PostgreSQL schema from many processes at once.

eventsourcing's PostgreSQL recorder creates its types, table, indexes and
insert function on every open (`CREATE ... IF NOT EXISTS`, `CREATE OR
REPLACE FUNCTION`). None of these is safe against a concurrent twin: two
opens at once fail with `tuple concurrently updated`, `duplicate key value
violates unique constraint "pg_type_typname_nsp_index"` or `relation ...
already exists`. This recorder takes a PostgreSQL advisory lock, one per
schema, around that creation, so concurrent opens queue for the few
milliseconds it takes instead of failing. The store URL selects it
(`workflow.store_url`: APPLICATION_RECORDER_TOPIC).
"""

from __future__ import annotations

from eventsourcing.postgres import PostgresApplicationRecorder

LOCK_NAME = "hotline-create-tables:"


class SerialisedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """eventsourcing's application recorder; table creation serialised per schema."""

    def create_table(self) -> None:
        key = LOCK_NAME + self.datastore.schema
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
            conn.commit()
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
                conn.commit()
