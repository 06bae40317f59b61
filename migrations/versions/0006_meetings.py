"""meetings: overleg and series, participants, agenda items with minutes and decisions,
actiepunten with their history and reminder moments

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convenant_key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rrule', sa.String(length=200), nullable=False),
    sa.Column('uid', sa.String(length=200), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organiser_id'], ['user_account.id'], name=op.f('fk_meeting_series_organiser_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    sa.UniqueConstraint('uid', name=op.f('uq_meeting_series_uid'))
    )
    op.create_index(op.f('ix_meeting_series_convenant_key'), 'meeting_series', ['convenant_key'], unique=False)
    op.create_table('meeting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convenant_key', sa.String(length=100), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('video_link', sa.String(length=500), nullable=True),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('uid', sa.String(length=200), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('recurrence_id', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes_status', sa.String(length=20), nullable=True),
    sa.Column('minutes_approved_by_id', sa.Integer(), nullable=True),
    sa.Column('minutes_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes_remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('minutes_reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("minutes_status IS NULL OR minutes_status IN ('concept', 'goedgekeurd')", name=op.f('ck_meeting_minutes_status')),
    sa.CheckConstraint("status IN ('gepland', 'geannuleerd', 'gehouden')", name=op.f('ck_meeting_status')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_meeting_ends_after_start')),
    sa.ForeignKeyConstraint(['minutes_approved_by_id'], ['user_account.id'], name=op.f('fk_meeting_minutes_approved_by_id_user_account')),
    sa.ForeignKeyConstraint(['organiser_id'], ['user_account.id'], name=op.f('fk_meeting_organiser_id_user_account')),
    sa.ForeignKeyConstraint(['series_id'], ['meeting_series.id'], name=op.f('fk_meeting_series_id_meeting_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
    sa.UniqueConstraint('uid', 'recurrence_id', name=op.f('uq_meeting_uid_recurrence_id'))
    )
    op.create_index('ix_meeting_convenant_starts', 'meeting', ['convenant_key', 'starts_at'], unique=False)
    op.create_index('ix_meeting_minutes_due', 'meeting', ['minutes_remind_at'], unique=False, postgresql_where='minutes_remind_at IS NOT NULL')
    op.create_index(op.f('ix_meeting_series_id'), 'meeting', ['series_id'], unique=False)
    op.create_index('uq_meeting_uid_single', 'meeting', ['uid'], unique=True, postgresql_where='recurrence_id IS NULL')
    op.create_table('agenda_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=30), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('minutes_text', sa.Text(), nullable=True),
    sa.Column('status_result', sa.Text(), nullable=True),
    sa.CheckConstraint("decision IS NULL OR decision IN ('plan_van_aanpak', 'monitoren', 'doorverwijzen', 'afschalen', 'afsluiten', 'opnieuw_agenderen')", name=op.f('ck_agenda_item_decision')),
    sa.CheckConstraint('duration_minutes IS NULL OR duration_minutes BETWEEN 1 AND 480', name=op.f('ck_agenda_item_duration')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_agenda_item_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_agenda_item_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_agenda_item_meeting_id_meeting'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item')),
    sa.UniqueConstraint('meeting_id', 'case_id', name=op.f('uq_agenda_item_meeting_id_case_id'))
    )
    op.create_index(op.f('ix_agenda_item_case_id'), 'agenda_item', ['case_id'], unique=False)
    op.create_table('meeting_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('attendance', sa.String(length=20), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("attendance IN ('onbekend', 'aanwezig', 'afgemeld')", name=op.f('ck_meeting_participant_attendance')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_participant_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_meeting_participant_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_meeting_participant_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_participant')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_meeting_participant_meeting_id_user_id'))
    )
    op.create_index(op.f('ix_meeting_participant_organisation_id'), 'meeting_participant', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_meeting_participant_user_id'), 'meeting_participant', ['user_id'], unique=False)
    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('agenda_item_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('assignee_organisation_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('remind_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_remind_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('due_remind_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalate_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_reminder_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'in_behandeling', 'afgerond', 'vervallen')", name=op.f('ck_action_item_status')),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_action_item_agenda_item_id_agenda_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_action_item_assignee_id_user_account')),
    sa.ForeignKeyConstraint(['assignee_organisation_id'], ['organisation.id'], name=op.f('fk_action_item_assignee_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_action_item_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_action_item_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_action_item_meeting_id_meeting'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item'))
    )
    op.create_index('ix_action_item_assignee_status', 'action_item', ['assignee_id', 'status'], unique=False)
    op.create_index('ix_action_item_case_status', 'action_item', ['case_id', 'status'], unique=False)
    op.create_index(op.f('ix_action_item_meeting_id'), 'action_item', ['meeting_id'], unique=False)
    op.create_index('ix_action_item_reminder_due', 'action_item', ['next_reminder_at'], unique=False, postgresql_where='next_reminder_at IS NOT NULL')
    op.create_table('action_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_action_update_action_id_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_action_update_actor_id_user_account')),
    sa.ForeignKeyConstraint(['assignee_id'], ['user_account.id'], name=op.f('fk_action_update_assignee_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_update'))
    )
    op.create_index(op.f('ix_action_update_action_id'), 'action_update', ['action_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_action_update_action_id'), table_name='action_update')
    op.drop_table('action_update')
    op.drop_index('ix_action_item_reminder_due', table_name='action_item', postgresql_where='next_reminder_at IS NOT NULL')
    op.drop_index(op.f('ix_action_item_meeting_id'), table_name='action_item')
    op.drop_index('ix_action_item_case_status', table_name='action_item')
    op.drop_index('ix_action_item_assignee_status', table_name='action_item')
    op.drop_table('action_item')
    op.drop_index(op.f('ix_meeting_participant_user_id'), table_name='meeting_participant')
    op.drop_index(op.f('ix_meeting_participant_organisation_id'), table_name='meeting_participant')
    op.drop_table('meeting_participant')
    op.drop_index(op.f('ix_agenda_item_case_id'), table_name='agenda_item')
    op.drop_table('agenda_item')
    op.drop_index('uq_meeting_uid_single', table_name='meeting', postgresql_where='recurrence_id IS NULL')
    op.drop_index(op.f('ix_meeting_series_id'), table_name='meeting')
    op.drop_index('ix_meeting_minutes_due', table_name='meeting', postgresql_where='minutes_remind_at IS NOT NULL')
    op.drop_index('ix_meeting_convenant_starts', table_name='meeting')
    op.drop_table('meeting')
    op.drop_index(op.f('ix_meeting_series_convenant_key'), table_name='meeting_series')
    op.drop_table('meeting_series')
