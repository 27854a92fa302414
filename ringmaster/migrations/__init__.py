"""Alembic migrations of the application's tables (`ringmaster.tables.metadata`).

Every SQL store's schema is a chain of revisions in `versions/`: 0001 is the schema of the last
release before migrations, and adopts a database that release (or an earlier one) created.
`ringmaster db upgrade` applies what is missing; `ringmaster db current` says where a database
stands. At start-up (`make_engine`) a database at `HEAD` costs one query; otherwise it is
upgraded when that is safe (see `ensure_schema`), or the process stops with one line saying
to run `ringmaster db upgrade`. docs/migrations.md tells how to add a revision.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from sqlalchemy import inspect, text

from ringmaster.errors import ConfigError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy.engine import Connection

# The newest revision. It lets start-up check a database without loading Alembic; a test holds
# it equal to the head of `versions/`, so a new revision must update it.
HEAD = "0004"
# Not Alembic's default `alembic_version`: an application's own migrations may share the database.
VERSION_TABLE = "rm_alembic_version"
HERE = Path(__file__).resolve().parent


class SchemaError(ConfigError):
    """The database's schema is not the one this ringmaster needs, and was not upgraded."""


def alembic_config(conn: Connection) -> Config:
    """Alembic's configuration, with the connection every migration runs on."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = conn
    return config


def current(conn: Connection) -> str | None:
    """The database's revision; None for a database no migration has touched."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(HERE))
    return ScriptDirectory.from_config(config)


def script_head() -> str:
    """The head of `versions/` as Alembic reads it (tests hold `HEAD` equal to it)."""
    heads = _scripts().get_heads()
    if len(heads) != 1:
        raise SchemaError(f"the migrations have {len(heads)} heads: {heads}; merge them")
    return heads[0]


def upgrade(conn: Connection, target: str = "head") -> None:
    """Apply the missing revisions on `conn`, inside the caller's transaction."""
    from alembic import command

    revision = current(conn)
    if is_newer(revision):
        raise newer(revision)
    command.upgrade(alembic_config(conn), target)


def ensure_schema(conn: Connection, auto_migrate: bool | None) -> None:
    """Bring the database to HEAD at start-up when that is safe, else SchemaError.

    `auto_migrate` None (the default) upgrades a new database, one no migration has touched
    yet (the adoption of 0001 only adds), and any SQLite file (one machine: no process of
    another version shares it). A Postgres database at an older revision may be shared with
    workers of that older version, so it waits for `ringmaster db upgrade` or
    RINGMASTER_AUTO_MIGRATE=true. False never upgrades at start-up.
    """
    revision = current(conn)
    if revision == HEAD:
        return
    if is_newer(revision):
        raise newer(revision)
    fresh = revision is None
    safe = fresh or conn.dialect.name == "sqlite"
    if auto_migrate or (auto_migrate is None and safe):
        upgrade(conn)
        return
    where = f"at revision {revision}" if revision else "not versioned yet"
    raise SchemaError(
        f"the database is {where}; this ringmaster needs revision {HEAD}: "
        "run `ringmaster db upgrade` (or set RINGMASTER_AUTO_MIGRATE=true)"
    )


def known(revision: str) -> bool:
    """Whether this ringmaster's migrations have `revision` (a newer one's do not)."""
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic's ResolutionError/CommandError for an id it does not know
        return False


def is_newer(revision: str | None) -> TypeGuard[str]:
    """Whether a database at `revision` was upgraded by a newer ringmaster: one these
    migrations do not know."""
    return revision is not None and revision != HEAD and not known(revision)


def newer(revision: str) -> SchemaError:
    return SchemaError(
        f"the database is at revision {revision}, which this ringmaster (head {HEAD}) does "
        "not know: it was upgraded by a newer ringmaster; install that version"
    )
