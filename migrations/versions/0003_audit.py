"""audit: the hash-chained access log, its purge checkpoints, the append-only trigger, the
application role and the controlled purge path.

Production connects as a login role that is a MEMBER of ``zorgtafel_app`` (and has its
ordinary rights on the other tables) and is NOT the owner of these tables: privileges do
not bind an owner. The owner (the role that runs migrations) is stopped by the trigger.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# Kept literal: a migration must not import application code that may change later.
# The same key is zorgtafel.audit.chain.LOCK_KEY.
LOCK_KEY = 75130001
APP_ROLE = "zorgtafel_app"


def upgrade():
    op.create_table('audit_entry',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('time', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('roles', sa.ARRAY(sa.String(length=40)), nullable=True),
    sa.Column('on_behalf_of', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('case_reference', sa.String(length=40), nullable=True),
    sa.Column('object_type', sa.String(length=60), nullable=True),
    sa.Column('object_id', sa.String(length=128), nullable=True),
    sa.Column('basis_key', sa.String(length=80), nullable=True),
    sa.Column('basis_version', sa.Integer(), nullable=True),
    sa.Column('basis_article', sa.Text(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('client_ip', sa.String(length=45), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint("outcome IN ('allowed', 'denied', 'success', 'failure')", name=op.f('ck_audit_entry_outcome')),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entry'))
    )
    op.create_index('ix_audit_entry_organisation_seq', 'audit_entry', ['organisation_id', 'seq'], unique=False)
    op.create_index('ix_audit_entry_user_seq', 'audit_entry', ['user_id', 'seq'], unique=False)
    op.create_index('ix_audit_entry_case_seq', 'audit_entry', ['case_reference', 'seq'], unique=False,
                    postgresql_where=sa.text('case_reference IS NOT NULL'))
    op.create_index('ix_audit_entry_time', 'audit_entry', ['time'], unique=False, postgresql_using='brin')

    op.create_table('audit_checkpoint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('deleted', sa.BigInteger(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoint')),
    sa.UniqueConstraint('seq', name=op.f('uq_audit_checkpoint_seq'))
    )

    # Append-only. A DELETE passes only for entries a purge checkpoint already covers,
    # which is what audit_purge() writes first; everything else is refused, owner included.
    # (session_replication_role = replica skips the trigger: superusers only, for tests.)
    op.execute("""
        CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_entry' THEN
                IF OLD.seq <= coalesce((SELECT max(c.seq) FROM audit_checkpoint c), 0) THEN
                    RETURN OLD;
                END IF;
            END IF;
            RAISE EXCEPTION 'het toegangslogboek is alleen-toevoegen: % op % geweigerd', TG_OP, TG_TABLE_NAME;
        END $$
    """)
    for table in ('audit_entry', 'audit_checkpoint'):
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()")

    # The one way to delete: entries older than N days, as the longest prefix of the chain
    # (never the head), after writing the checkpoint the chain continues from.
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar()
    op.execute(f"""
        CREATE FUNCTION audit_purge(days integer)
        RETURNS TABLE(checkpoint_seq bigint, checkpoint_hash varchar, deleted bigint)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = "{schema}", pg_temp AS $$
        DECLARE
            cutoff timestamptz;
            first_recent bigint;
            head_seq bigint;
            first_seq bigint;
            upto bigint;
            upto_hash varchar;
            n bigint;
        BEGIN
            IF days IS NULL OR days < 1 THEN
                RAISE EXCEPTION 'audit_purge: days must be at least 1';
            END IF;
            PERFORM pg_advisory_xact_lock({LOCK_KEY});
            cutoff := now() - make_interval(days => days);
            SELECT max(e.seq), min(e.seq) INTO head_seq, first_seq FROM audit_entry e;
            SELECT e.seq INTO first_recent FROM audit_entry e WHERE e.time >= cutoff ORDER BY e.seq LIMIT 1;
            upto := least(coalesce(first_recent, head_seq + 1), head_seq) - 1;
            IF upto IS NULL OR upto < first_seq THEN
                RETURN QUERY SELECT NULL::bigint, NULL::varchar, 0::bigint;
                RETURN;
            END IF;
            SELECT e.hash INTO upto_hash FROM audit_entry e WHERE e.seq = upto;
            SELECT count(*) INTO n FROM audit_entry e WHERE e.seq <= upto;
            INSERT INTO audit_checkpoint (seq, hash, deleted, days) VALUES (upto, upto_hash, n, days);
            DELETE FROM audit_entry e WHERE e.seq <= upto;
            RETURN QUERY SELECT upto, upto_hash, n;
        END $$
    """)

    # The application's role: read and append, nothing else. Roles are cluster-wide, so
    # another database (or a parallel test run) may have created it already.
    op.execute(f"""
        DO $$ BEGIN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$
    """)
    op.execute("REVOKE ALL ON audit_entry, audit_checkpoint FROM PUBLIC")
    op.execute(f"GRANT SELECT, INSERT ON audit_entry TO {APP_ROLE}")
    op.execute(f"GRANT SELECT ON audit_checkpoint TO {APP_ROLE}")
    op.execute("REVOKE ALL ON FUNCTION audit_purge(integer) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION audit_purge(integer) TO {APP_ROLE}")


def downgrade():
    # The role stays: it is cluster-wide and other databases may use it.
    op.execute("DROP FUNCTION audit_purge(integer)")
    op.drop_table('audit_checkpoint')
    op.drop_index('ix_audit_entry_time', table_name='audit_entry', postgresql_using='brin')
    op.drop_index('ix_audit_entry_case_seq', table_name='audit_entry',
                  postgresql_where=sa.text('case_reference IS NOT NULL'))
    op.drop_index('ix_audit_entry_user_seq', table_name='audit_entry')
    op.drop_index('ix_audit_entry_organisation_seq', table_name='audit_entry')
    op.drop_table('audit_entry')
    op.execute("DROP FUNCTION audit_refuse_change()")
