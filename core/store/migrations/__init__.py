"""Alembic migrations of the store's schema, one file per revision, run by
:func:`core.store.database.upgrade` when a store opens (no ``env.py``: the store runs
them on its own connection, inside its write lock).

A new revision: copy the last file, set ``revision`` and ``down_revision``, write
``upgrade``/``downgrade`` with ``alembic.op``, and change :mod:`core.store.schema` to
match (tests/test_store_migrations.py compares the two on every back end).
"""
