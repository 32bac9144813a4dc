"""Subscriptions in the database (double opt-in, suspension); email deliveries record each attempt.

The old ``unsubscribes`` table becomes ``subscriptions`` rows with status ``unsubscribed``, so every
unsubscribe made before this revision still holds.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    subscriptions = op.create_table(
        "subscriptions",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("unsubscribe_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("confirm_nonce", sa.String(length=64), nullable=True),
        sa.Column("confirm_sent_at", sa.DateTime(), nullable=True),
        sa.Column("soft_failures", sa.Integer(), nullable=False),
        sa.Column("suspended_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("unsubscribe_token", name=op.f("uq_subscriptions_unsubscribe_token")),
    )
    connection = op.get_bind()
    # Typed columns, so SQLite's stored text comes back as datetimes.
    old_table = sa.table("unsubscribes", sa.column("email", sa.String), sa.column("unsubscribed_at", sa.DateTime))
    old = connection.execute(sa.select(old_table.c.email, old_table.c.unsubscribed_at)).all()
    if old:
        op.bulk_insert(
            subscriptions,
            [
                {
                    "email": email,
                    "status": "unsubscribed",
                    "source": "config",
                    "unsubscribe_token": secrets.token_urlsafe(16),
                    "created_at": at,
                    "updated_at": at,
                    "soft_failures": 0,
                }
                for email, at in old
            ],
        )
    op.drop_table("unsubscribes")
    with op.batch_alter_table("email_deliveries") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("soft_failure_counted", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("email_deliveries") as batch:
        batch.drop_column("soft_failure_counted")
        batch.drop_column("attempted_at")
    unsubscribes = op.create_table(
        "unsubscribes",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("unsubscribed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_unsubscribes")),
    )
    connection = op.get_bind()
    table = sa.table(
        "subscriptions",
        sa.column("email", sa.String),
        sa.column("status", sa.String),
        sa.column("updated_at", sa.DateTime),
    )
    gone = connection.execute(
        sa.select(table.c.email, table.c.updated_at).where(table.c.status.in_(("unsubscribed", "suspended")))
    ).all()
    if gone:
        op.bulk_insert(unsubscribes, [{"email": email, "unsubscribed_at": at} for email, at in gone])
    op.drop_table("subscriptions")
