"""The one place where the engine talks to its stores past eventsourcing's
application API (docs/architecture.md, "Persistence").

Everything here goes through eventsourcing's own datastore and recorder
classes: their connection pools, transactions, table names and PostgreSQL
schema. Where the code has to do more than those classes offer, it does it
in this package only, and says why:

- `streams.RecorderStreams.select` reads the stored events of many cases in
  one statement (the recorders read one aggregate per query: a round trip
  per import line), as the driver's plain tuples (no `StoredEvent` and no
  `UUID` made per row). Measured gain: docs/performance.md.
- `streams.RecorderStreams.insert` writes a batch of already encoded events
  with the recorder's own `insert_events`, in one transaction (no second
  encoding, no `Application.save()` bookkeeping for a batch of hundreds).
- `readonly` opens a store read-only through the library's datastores (a
  SQLite `mode=ro` URI; PostgreSQL sessions with
  `default_transaction_read_only`), for the auditor.
- `keys.KeyTable` and `views` keep the engine's own tables (citizen keys,
  the read side's views and positions) beside the events, through the same
  datastore; the SQL dialect differences live in `dialect`. The views'
  rows go in with `views.insert_rows` (PostgreSQL `COPY`: measured,
  docs/performance.md "The read path").

The domain (`workflow`) never imports this package: it sees the bulk
read/write through the `workflow.ports.EventStreams` protocol.
"""

from persistence.dialect import POSTGRES, SQLITE, Dialect, dialect_of
from persistence.streams import RecorderStreams, streams_for

__all__ = ["POSTGRES", "SQLITE", "Dialect", "RecorderStreams", "dialect_of", "streams_for"]
