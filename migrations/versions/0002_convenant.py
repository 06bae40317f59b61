"""convenant: versions, parties, data categories, rules

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


# A loaded convenant version is immutable: the signed text does not change under the data.
IMMUTABLE_TABLES = ("convenant", "convenant_data_category", "convenant_party", "convenant_rule")


def _immutable_triggers():
    op.execute("""
        CREATE OR REPLACE FUNCTION zorgtafel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'rows of % are immutable', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$;
    """)
    for table in IMMUTABLE_TABLES:
        op.execute(f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION zorgtafel_refuse_change()")


def upgrade():
    op.create_table('convenant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('effective_until', sa.Date(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('legal_bases', sa.JSON(), nullable=False),
    sa.Column('retention', sa.JSON(), nullable=False),
    sa.Column('matching', sa.JSON(), nullable=False),
    sa.Column('deadlines', sa.JSON(), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('loaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['loaded_by_id'], ['user_account.id'], name=op.f('fk_convenant_loaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convenant')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_convenant_key_version'))
    )
    op.create_index(op.f('ix_convenant_key'), 'convenant', ['key'], unique=False)
    op.create_table('convenant_data_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convenant_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('special', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['convenant_id'], ['convenant.id'], name=op.f('fk_convenant_data_category_convenant_id_convenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convenant_data_category')),
    sa.UniqueConstraint('convenant_id', 'key', name=op.f('uq_convenant_data_category_convenant_id_key'))
    )
    op.create_index(op.f('ix_convenant_data_category_convenant_id'), 'convenant_data_category', ['convenant_id'], unique=False)
    op.create_table('convenant_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convenant_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['convenant_id'], ['convenant.id'], name=op.f('fk_convenant_party_convenant_id_convenant')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_convenant_party_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convenant_party'))
    )
    op.create_index(op.f('ix_convenant_party_convenant_id'), 'convenant_party', ['convenant_id'], unique=False)
    op.create_index(op.f('ix_convenant_party_organisation_id'), 'convenant_party', ['organisation_id'], unique=False)
    op.create_table('convenant_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convenant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('article', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('roles', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('organisation_kinds', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('actions', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('categories', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.Column('scope', sa.String(length=20), nullable=True),
    sa.Column('requires', sa.ARRAY(sa.String(length=40)), nullable=False),
    sa.ForeignKeyConstraint(['convenant_id'], ['convenant.id'], name=op.f('fk_convenant_rule_convenant_id_convenant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_convenant_rule')),
    sa.UniqueConstraint('convenant_id', 'article', name=op.f('uq_convenant_rule_convenant_id_article'))
    )
    op.create_index(op.f('ix_convenant_rule_convenant_id'), 'convenant_rule', ['convenant_id'], unique=False)
    # ### end Alembic commands ###
    _immutable_triggers()


def downgrade():
    op.drop_index(op.f('ix_convenant_rule_convenant_id'), table_name='convenant_rule')
    op.drop_table('convenant_rule')
    op.drop_index(op.f('ix_convenant_party_organisation_id'), table_name='convenant_party')
    op.drop_index(op.f('ix_convenant_party_convenant_id'), table_name='convenant_party')
    op.drop_table('convenant_party')
    op.drop_index(op.f('ix_convenant_data_category_convenant_id'), table_name='convenant_data_category')
    op.drop_table('convenant_data_category')
    op.drop_index(op.f('ix_convenant_key'), table_name='convenant')
    op.drop_table('convenant')
    op.execute("DROP FUNCTION IF EXISTS zorgtafel_refuse_change()")
