"""cases: subjects, vault, cases, signals, matches, involvement

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject'))
    )
    op.create_table('case_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('convenant_key', sa.String(length=100), nullable=False),
    sa.Column('subject_role', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('last_signal_on', sa.Date(), nullable=True),
    sa.Column('max_urgency', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_case_file_subject_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file')),
    sa.UniqueConstraint('reference', name=op.f('uq_case_file_reference')),
    sa.UniqueConstraint('subject_id', 'convenant_key', name=op.f('uq_case_file_subject_id_convenant_key'))
    )
    op.create_index(op.f('ix_case_file_convenant_key'), 'case_file', ['convenant_key'], unique=False)
    op.create_index('ix_case_file_sort', 'case_file', [sa.literal_column('last_signal_on DESC'), sa.literal_column('id DESC')], unique=False)
    op.create_index(op.f('ix_case_file_status'), 'case_file', ['status'], unique=False)
    op.create_table('identity_vault',
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kek_id', sa.String(length=40), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('nonce', sa.LargeBinary(), nullable=False),
    sa.Column('ciphertext', sa.LargeBinary(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_identity_vault_subject_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('subject_id', name=op.f('pk_identity_vault'))
    )
    op.create_index(op.f('ix_identity_vault_kek_id'), 'identity_vault', ['kek_id'], unique=False)
    op.create_table('possible_duplicate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('other_subject_id', sa.Integer(), nullable=False),
    sa.Column('convenant_key', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['other_subject_id'], ['subject.id'], name=op.f('fk_possible_duplicate_other_subject_id_subject'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_possible_duplicate_subject_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_possible_duplicate')),
    sa.UniqueConstraint('subject_id', 'other_subject_id', name=op.f('uq_possible_duplicate_subject_id_other_subject_id'))
    )
    op.create_table('subject_pseudonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('pseudonym', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_subject_pseudonym_subject_id_subject'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_pseudonym')),
    sa.UniqueConstraint('kind', 'pseudonym', name=op.f('uq_subject_pseudonym_kind_pseudonym')),
    sa.UniqueConstraint('subject_id', 'kind', name=op.f('uq_subject_pseudonym_subject_id_kind'))
    )
    op.create_table('case_match',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('organisation_count', sa.Integer(), nullable=False),
    sa.Column('window_days', sa.Integer(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_match_case_id_case_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_match'))
    )
    op.create_index(op.f('ix_case_match_case_id'), 'case_match', ['case_id'], unique=False)
    op.create_table('case_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_case_status_change_actor_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_case_status_change_case_id_case_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_status_change'))
    )
    op.create_index(op.f('ix_case_status_change_case_id'), 'case_status_change', ['case_id'], unique=False)
    op.create_table('involvement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_involvement_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_involvement_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_involvement')),
    sa.UniqueConstraint('case_id', 'organisation_id', 'source', name=op.f('uq_involvement_case_id_organisation_id_source'))
    )
    op.create_index(op.f('ix_involvement_organisation_id'), 'involvement', ['organisation_id'], unique=False)
    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('instance', sa.String(length=40), nullable=False),
    sa.Column('referred_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_referral_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_referral_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_referral_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    op.create_index(op.f('ix_referral_case_id'), 'referral', ['case_id'], unique=False)
    op.create_table('reveal_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('visible_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_reveal_request_status')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_reveal_request_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_reveal_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['requester_id'], ['user_account.id'], name=op.f('fk_reveal_request_requester_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reveal_request'))
    )
    op.create_index(op.f('ix_reveal_request_case_id'), 'reveal_request', ['case_id'], unique=False)
    op.create_index(op.f('ix_reveal_request_status'), 'reveal_request', ['status'], unique=False)
    op.create_table('risk_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('instrument_key', sa.String(length=60), nullable=False),
    sa.Column('instrument_version', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=40), nullable=False),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_risk_assessment_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_risk_assessment_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_risk_assessment_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessment'))
    )
    op.create_index(op.f('ix_risk_assessment_case_id'), 'risk_assessment', ['case_id'], unique=False)
    op.create_table('signal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('data_category', sa.String(length=20), nullable=False),
    sa.Column('subject_role', sa.String(length=30), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("data_category IN ('signaal', 'gezondheid', 'strafrechtelijk')", name=op.f('ck_signal_data_category')),
    sa.CheckConstraint("urgency IN ('laag', 'midden', 'hoog')", name=op.f('ck_signal_urgency')),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_signal_author_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_signal_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_signal_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal'))
    )
    op.create_index('ix_signal_author_recent', 'signal', ['author_id', 'created_at'], unique=False)
    op.create_index('ix_signal_case_observed', 'signal', ['case_id', 'observed_on'], unique=False)
    op.create_index(op.f('ix_signal_organisation_id'), 'signal', ['organisation_id'], unique=False)
    op.create_table('signal_withdrawal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_file.id'], name=op.f('fk_signal_withdrawal_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_signal_withdrawal_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_signal_withdrawal_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_withdrawal'))
    )
    op.create_index(op.f('ix_signal_withdrawal_case_id'), 'signal_withdrawal', ['case_id'], unique=False)
    op.create_table('subject_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_case_id', sa.Integer(), nullable=False),
    sa.Column('to_case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('from_case_id <> to_case_id', name=op.f('ck_subject_link_not_self')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_subject_link_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['from_case_id'], ['case_file.id'], name=op.f('fk_subject_link_from_case_id_case_file'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_case_id'], ['case_file.id'], name=op.f('fk_subject_link_to_case_id_case_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_link')),
    sa.UniqueConstraint('from_case_id', 'to_case_id', 'kind', name=op.f('uq_subject_link_from_case_id_to_case_id_kind'))
    )
    op.create_index(op.f('ix_subject_link_from_case_id'), 'subject_link', ['from_case_id'], unique=False)
    op.create_index(op.f('ix_subject_link_to_case_id'), 'subject_link', ['to_case_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_subject_link_to_case_id'), table_name='subject_link')
    op.drop_index(op.f('ix_subject_link_from_case_id'), table_name='subject_link')
    op.drop_table('subject_link')
    op.drop_index(op.f('ix_signal_withdrawal_case_id'), table_name='signal_withdrawal')
    op.drop_table('signal_withdrawal')
    op.drop_index(op.f('ix_signal_organisation_id'), table_name='signal')
    op.drop_index('ix_signal_case_observed', table_name='signal')
    op.drop_index('ix_signal_author_recent', table_name='signal')
    op.drop_table('signal')
    op.drop_index(op.f('ix_risk_assessment_case_id'), table_name='risk_assessment')
    op.drop_table('risk_assessment')
    op.drop_index(op.f('ix_reveal_request_status'), table_name='reveal_request')
    op.drop_index(op.f('ix_reveal_request_case_id'), table_name='reveal_request')
    op.drop_table('reveal_request')
    op.drop_index(op.f('ix_referral_case_id'), table_name='referral')
    op.drop_table('referral')
    op.drop_index(op.f('ix_involvement_organisation_id'), table_name='involvement')
    op.drop_table('involvement')
    op.drop_index(op.f('ix_case_status_change_case_id'), table_name='case_status_change')
    op.drop_table('case_status_change')
    op.drop_index(op.f('ix_case_match_case_id'), table_name='case_match')
    op.drop_table('case_match')
    op.drop_table('subject_pseudonym')
    op.drop_table('possible_duplicate')
    op.drop_index(op.f('ix_identity_vault_kek_id'), table_name='identity_vault')
    op.drop_table('identity_vault')
    op.drop_index(op.f('ix_case_file_status'), table_name='case_file')
    op.drop_index('ix_case_file_sort', table_name='case_file')
    op.drop_index(op.f('ix_case_file_convenant_key'), table_name='case_file')
    op.drop_table('case_file')
    op.drop_table('subject')
    # ### end Alembic commands ###
