"""case aliases (the reference of a case merged into another); a revealed identity is shown once

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_alias",
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_alias_case_id_case_file"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_case_alias")),
    )
    op.create_index(op.f("ix_case_alias_case_id"), "case_alias", ["case_id"])
    op.add_column("reveal_request", sa.Column("shown_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("reveal_request", "shown_at")
    op.drop_index(op.f("ix_case_alias_case_id"), table_name="case_alias")
    op.drop_table("case_alias")
