"""`ringmaster db …`: the application tables' schema revision, and upgrading it."""

from __future__ import annotations

import typer

from ringmaster.cli_options import JsonOpt, command, out, print_json

db_app = typer.Typer(
    no_args_is_help=True, help="The database schema: upgrade it, show its revision."
)


@db_app.command("current")
def db_current(json_mode: JsonOpt = False) -> None:
    """The database's schema revision and the one this ringmaster needs."""
    from sqlalchemy import inspect

    from ringmaster import migrations
    from ringmaster.settings import Settings
    from ringmaster.tables import make_engine, metadata

    engine = make_engine(Settings().app_db_url, check_schema=False)
    try:
        with engine.connect() as conn:
            revision = migrations.current(conn)
            # Unversioned with tables: made before migrations, which `db upgrade` adopts.
            empty = revision is None and not set(metadata.tables) & set(
                inspect(conn).get_table_names()
            )
    finally:
        engine.dispose()
    if json_mode:
        print_json(
            {
                "revision": revision,
                "head": migrations.HEAD,
                "up_to_date": revision == migrations.HEAD,
            }
        )
        return
    if empty:
        out.print(
            f"the database has no ringmaster tables yet: `{command('db upgrade')}` creates them",
            markup=False,
            soft_wrap=True,  # a command to type: never cut inside its path
        )
        return
    if migrations.is_newer(revision):
        # "ringmaster needs 0004" read as a downgrade to make: no command here does one.
        out.print(str(migrations.newer(revision)), markup=False)
        return
    state = "up to date" if revision == migrations.HEAD else f"ringmaster needs {migrations.HEAD}"
    out.print(f"revision {revision or 'none (not versioned)'}: {state}", markup=False)


@db_app.command("upgrade")
def db_upgrade(json_mode: JsonOpt = False) -> None:
    """Apply the missing schema revisions (one process at a time; safe to repeat)."""
    from ringmaster.settings import Settings
    from ringmaster.tables import make_engine, upgrade_schema

    engine = make_engine(Settings().app_db_url, check_schema=False)
    try:
        before, after = upgrade_schema(engine)
    finally:
        engine.dispose()
    if json_mode:
        print_json({"from": before, "to": after})
    elif before == after:
        out.print(f"already at revision {after}", markup=False)
    else:
        out.print(f"upgraded from {before or 'an unversioned schema'} to {after}", markup=False)
