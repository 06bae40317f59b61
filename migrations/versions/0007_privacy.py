"""privacy: erasure records and the statistics archive

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "erasure_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_reference", sa.String(length=12), nullable=False),
        sa.Column("convenant_key", sa.String(length=100), nullable=False),
        sa.Column("convenant_version", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_record")),
    )
    op.create_index(op.f("ix_erasure_record_case_reference"), "erasure_record", ["case_reference"], unique=False)
    op.create_table(
        "statistics_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convenant_key", sa.String(length=100), nullable=False),
        sa.Column("metric", sa.String(length=30), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("dimension", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statistics_archive")),
        sa.UniqueConstraint("convenant_key", "metric", "month", "dimension", "key",
                            name=op.f("uq_statistics_archive_convenant_key_metric_month_dimension_key")),
    )


def downgrade():
    op.drop_table("statistics_archive")
    op.drop_index(op.f("ix_erasure_record_case_reference"), table_name="erasure_record")
    op.drop_table("erasure_record")
