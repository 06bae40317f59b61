"""follow-up tasks for the zorgcoördinator

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "coordinator_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convenant_key", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_reference", sa.String(length=12), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("picked_up_by_id", sa.Integer(), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_note", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('open', 'in_behandeling', 'afgerond', 'vervallen')",
                           name=op.f("ck_coordinator_task_status")),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_coordinator_task_case_id_case_file"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["closed_by_id"], ["user_account.id"],
                                name=op.f("fk_coordinator_task_closed_by_id_user_account")),
        sa.ForeignKeyConstraint(["picked_up_by_id"], ["user_account.id"],
                                name=op.f("fk_coordinator_task_picked_up_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_task")),
        sa.UniqueConstraint("kind", "subject", name=op.f("uq_coordinator_task_kind_subject")),
    )
    op.create_index("ix_coordinator_task_queue", "coordinator_task", ["convenant_key", "status", "due_on"])
    op.create_index("ix_coordinator_task_case_open", "coordinator_task", ["case_id"],
                    postgresql_where=sa.text("status IN ('open', 'in_behandeling')"))
    op.create_table(
        "coordinator_task_update",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["user_account.id"],
                                name=op.f("fk_coordinator_task_update_actor_id_user_account")),
        sa.ForeignKeyConstraint(["task_id"], ["coordinator_task.id"],
                                name=op.f("fk_coordinator_task_update_task_id_coordinator_task"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_task_update")),
    )
    op.create_index(op.f("ix_coordinator_task_update_task_id"), "coordinator_task_update", ["task_id"])
    op.create_table(
        "coordinator_digest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_coordinator_digest_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordinator_digest")),
        sa.UniqueConstraint("user_id", "day", name=op.f("uq_coordinator_digest_user_id_day")),
    )
    # The in_weging sweep looks up cases by status and when they entered it.
    op.create_index("ix_case_file_status_changed", "case_file", ["status", "status_changed_at"])


def downgrade():
    op.drop_index("ix_case_file_status_changed", table_name="case_file")
    op.drop_table("coordinator_digest")
    op.drop_index(op.f("ix_coordinator_task_update_task_id"), table_name="coordinator_task_update")
    op.drop_table("coordinator_task_update")
    op.drop_index("ix_coordinator_task_case_open", table_name="coordinator_task")
    op.drop_index("ix_coordinator_task_queue", table_name="coordinator_task")
    op.drop_table("coordinator_task")
