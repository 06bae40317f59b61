"""notify: outbox, notifications, deliveries per channel, daily digests

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def _send_state():
    return [
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    ]


def upgrade():
    op.create_table(
        'outbox_message',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('task_name', sa.String(length=200), nullable=False),
        sa.Column('kwargs', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    )
    op.create_index('ix_outbox_message_pending', 'outbox_message', ['id'], postgresql_where='published_at IS NULL')
    op.create_index('ix_outbox_message_published_at', 'outbox_message', ['published_at'])

    op.create_table(
        'notification',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('recipient_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=60), nullable=False),
        sa.Column('case_reference', sa.String(length=20), nullable=True),
        sa.Column('link', sa.String(length=300), nullable=False),
        sa.Column('attachment_name', sa.String(length=40), nullable=True),
        sa.Column('attachment_id', sa.BigInteger(), nullable=True),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'],
                                name=op.f('fk_notification_recipient_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    )
    op.create_index('ix_notification_recipient', 'notification', ['recipient_id', 'id'])
    op.create_index('ix_notification_unread', 'notification', ['recipient_id'], postgresql_where='read_at IS NULL')

    op.create_table(
        'notification_digest',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        *_send_state(),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')",
                           name=op.f('ck_notification_digest_status')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                                name=op.f('fk_notification_digest_user_id_user_account'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_digest')),
        sa.UniqueConstraint('user_id', 'day', name=op.f('uq_notification_digest_user_id_day')),
    )
    op.create_index('ix_notification_digest_due', 'notification_digest', ['next_attempt_at'],
                    postgresql_where="status = 'pending'")

    op.create_table(
        'notification_delivery',
        sa.Column('id', sa.BigInteger(), nullable=False),
        sa.Column('notification_id', sa.BigInteger(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('digest_id', sa.BigInteger(), nullable=True),
        *_send_state(),
        sa.CheckConstraint("status IN ('pending', 'digest', 'sent', 'failed', 'skipped')",
                           name=op.f('ck_notification_delivery_status')),
        sa.CheckConstraint("channel IN ('in_app', 'email')", name=op.f('ck_notification_delivery_channel')),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'],
                                name=op.f('fk_notification_delivery_notification_id_notification'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['digest_id'], ['notification_digest.id'],
                                name=op.f('fk_notification_delivery_digest_id_notification_digest'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_delivery')),
        sa.UniqueConstraint('notification_id', 'channel',
                            name=op.f('uq_notification_delivery_notification_id_channel')),
    )
    op.create_index('ix_notification_delivery_due', 'notification_delivery', ['next_attempt_at'],
                    postgresql_where="status = 'pending'")
    op.create_index('ix_notification_delivery_digest_wait', 'notification_delivery', ['notification_id'],
                    postgresql_where="status = 'digest'")
    op.create_index('ix_notification_delivery_digest_id', 'notification_delivery', ['digest_id'])


def downgrade():
    op.drop_table('notification_delivery')
    op.drop_table('notification_digest')
    op.drop_table('notification')
    op.drop_table('outbox_message')
