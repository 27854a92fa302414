"""Alembic's environment: migrations run on the connection `ringmaster.migrations` hands over.

There is no alembic.ini and no URL here: `ringmaster.migrations.upgrade` (start-up, or
`ringmaster db upgrade`) passes an open connection inside its locked transaction.
"""

from __future__ import annotations

from alembic import context

from ringmaster.migrations import VERSION_TABLE
from ringmaster.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things: revisions use `op.batch_alter_table`, which copies the
    # table there and alters in place elsewhere.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():  # joins the caller's transaction
    context.run_migrations()
