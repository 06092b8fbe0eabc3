"""who answers on a contact's behalf, encrypted at rest like the other free text

The value is rewritten as a Fernet token under the newest key of the engine's key ring
(storage.sealed). A token is longer than the old VARCHAR(200) allowed, so the column is
replaced by an unbounded one: added, filled, the old one dropped and the new one renamed. On
SQLite that needs no rebuild of ``contact`` (which other tables refer to), only SQLite ≥ 3.35.

Revision ID: 0016_on_behalf_sealed
Revises: 0015_campaign_run_fields
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.crypto import Vault
from storage.sealed import migration_ring, seal, unseal

revision: str = "0016_on_behalf_sealed"
down_revision: str | None = "0015_campaign_run_fields"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMN = "answers_on_behalf"
_NEW = "answers_on_behalf_new"


def upgrade() -> None:
    _replace(sqlmodel.sql.sqltypes.AutoString(), lambda vault, plain: seal(vault, plain))


def downgrade() -> None:
    _replace(sqlmodel.sql.sqltypes.AutoString(length=200), lambda vault, t: unseal(vault, t))


def _replace(kind: sa.types.TypeEngine[str], change: Callable[[Vault, str], str]) -> None:
    connection = op.get_bind()
    op.add_column("contact", sa.Column(_NEW, kind, nullable=True))
    contact = sa.table(
        "contact", sa.column("id", sa.Integer), *(sa.column(c) for c in (_COLUMN, _NEW))
    )
    rows = connection.execute(
        sa.select(contact.c.id, contact.c[_COLUMN]).where(contact.c[_COLUMN].is_not(None))
    ).all()
    if rows:
        vault = migration_ring(connection.dialect, "who answers on contacts' behalf")
        for row_id, value in rows:
            connection.execute(
                contact.update().where(contact.c.id == row_id).values({_NEW: change(vault, value)})
            )
    # Plain ALTER TABLE on both databases (alembic's SQLite batch mode would rebuild the table).
    connection.execute(sa.text(f"ALTER TABLE contact DROP COLUMN {_COLUMN}"))
    connection.execute(sa.text(f"ALTER TABLE contact RENAME COLUMN {_NEW} TO {_COLUMN}"))
