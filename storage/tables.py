"""Table definitions: leads, their touches and stage history, the audit trail, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")
HOT_REPORT_COLUMNS = (
    "created_at",
    "source",
    "event",
    "outcome",
    "lost_reason",
    "deal_value",
    "hot_at",
    "claimed_at",
    "id",
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every dialect (SQLite stores them naive)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """The usual conversion, remembering the last value: the rows of one batch (an
        import, a group commit) mostly carry the same moment, converted once."""
        convert = super().bind_processor(dialect)
        if convert is None:
            return None
        last: tuple[Any, Any] = (None, None)  # swapped whole, so a reader never sees half

        def process(value: Any) -> Any:
            nonlocal last
            if value is None:
                return None
            seen = last
            if seen[0] is value:
                return seen[1]
            converted = convert(value)
            last = (value, converted)
            return converted

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read back as aware UTC."""
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base sharing one naming convention, so migrations get stable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LeadRow(Base):
    """One person we may sell to; the same normalized email is always the same row."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    phone_key: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)
    title: Mapped[str] = mapped_column(String(150), default="")
    company_size: Mapped[str] = mapped_column(String(16), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(32), default="")
    event: Mapped[str] = mapped_column(String(150), default="")
    interest: Mapped[str] = mapped_column(String(16), default="")
    product: Mapped[str] = mapped_column(String(150), default="")
    budget: Mapped[str] = mapped_column(String(16), default="")
    timeline: Mapped[str] = mapped_column(String(16), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str] = mapped_column(String(8), default="")
    stage: Mapped[str] = mapped_column(String(16), default="new")
    owner: Mapped[str | None] = mapped_column(String(32))
    fit: Mapped[float] = mapped_column(Float, default=0.0)
    engagement: Mapped[float] = mapped_column(Float, default=0.0)
    engagement_at: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rules_version: Mapped[str] = mapped_column(String(32), default="")
    touch_count: Mapped[int] = mapped_column(Integer, default=1)
    route_channel: Mapped[str] = mapped_column(String(32), default="")
    route_rule: Mapped[str] = mapped_column(String(100), default="")
    card_channel: Mapped[str] = mapped_column(String(32), default="")
    card_ts: Mapped[str] = mapped_column(String(32), default="")
    captured_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    hot_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The latest outcome, kept with its stage_history row for the card and the export;
    # reports count from the history.
    outcome: Mapped[str] = mapped_column(String(8), default="", server_default="")
    deal_value: Mapped[float | None] = mapped_column(Float)
    lost_reason: Mapped[str] = mapped_column(String(16), default="", server_default="")
    lost_detail: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome_by: Mapped[str] = mapped_column(String(32), default="", server_default="")
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    meeting_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    won_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lost_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    calibration: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # When the lead refused contact or unsubscribed; cleared by explicit consent later.
    opted_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_leads_stage_score", "stage", "score"),
        Index("ix_leads_captured_by_id", "captured_by", "id"),  # the Home tab's recent leads
        Index("ix_leads_rules_version", "rules_version"),
        Index(
            "ix_leads_owner_stage", "owner", "stage"
        ),  # /lead mine: one's open leads  # leads scored under older rules
        Index("ix_leads_created_at", "created_at"),  # the leads captured in a report's period
        Index("ix_leads_source_event_created_at", "source", "event", "created_at"),  # captures
        # Reports of hot leads: outcomes and speed to lead, from one in ten leads only.
        Index(
            "ix_leads_hot_report",
            *HOT_REPORT_COLUMNS,
            sqlite_where=text("hot_at IS NOT NULL"),
            postgresql_where=text("hot_at IS NOT NULL"),
        ),
    )


class StageHistoryRow(Base):
    """One stage change of a lead: reports count from these, never from mutable columns."""

    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str] = mapped_column(String(16), default="")
    to_stage: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(300), default="")
    value: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_stage_history_to_stage_created_at", "to_stage", "created_at"),
        Index("ix_stage_history_to_stage_lead_id", "to_stage", "lead_id"),  # funnel steps
    )


class CalibrationRow(Base):
    """What outcomes taught about one source or event: its smoothed win rate and points."""

    __tablename__ = "calibration"

    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(150), primary_key=True)
    wins: Mapped[int] = mapped_column(Integer, default=0)
    decided: Mapped[int] = mapped_column(Integer, default=0)
    rate: Mapped[float] = mapped_column(Float, default=0.0)
    points: Mapped[float] = mapped_column(Float, default=0.0)
    digest_points: Mapped[float] = mapped_column(Float, default=0.0)  # as the last digest said
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TouchRow(Base):
    """One capture of a lead: who logged it, where, and what they said."""

    __tablename__ = "touches"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    captured_by: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32), default="")
    via: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32), default="")
    event: Mapped[str] = mapped_column(String(150), default="")
    interest: Mapped[str] = mapped_column(String(16), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # An engagement event's kind (its points are in `points`); empty for a capture.
    kind: Mapped[str] = mapped_column(String(32), default="", server_default="")
    # Set on a touch that must happen once (a row of an imported file): a rerun finds it.
    once_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class AuditRow(Base):
    """Who changed what, and when; never updated, never deleted."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_action_lead_id", "action", "lead_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("leads.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserPrefRow(Base):
    """Per-person settings, such as the event they are working at."""

    __tablename__ = "user_prefs"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    current_event: Mapped[str] = mapped_column(String(150), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    """A Slack call the system owes, written in the transaction that caused it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    method: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    thread_of: Mapped[str] = mapped_column(String(200), default="")
    only_if: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result_ts: Mapped[str] = mapped_column(String(32), default="")
    last_error: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_outbox_pending_due", "status", "due_at"),
        Index("ix_outbox_lead_id_status", "lead_id", "status"),  # a lead's pending messages
    )


class NurtureEnrolmentRow(Base):
    """A lead's place in a nurture plan: the step it is at; ended when it left the plan."""

    __tablename__ = "nurture_enrolments"

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    plan: Mapped[str] = mapped_column(String(100))
    step_index: Mapped[int] = mapped_column(Integer, default=0)  # the step now due, 0-based
    seq: Mapped[int] = mapped_column(Integer, default=0)  # reminders scheduled for the lead
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    end_reason: Mapped[str] = mapped_column(String(32), default="")


class NurtureStepRow(Base):
    """One nurture step owed to a doer: due at `due_at`, claimed under a lease by the sweep.

    `seq` counts the lead's scheduled steps, so (lead, plan, seq) is written once however
    often a Done is clicked or a sweep retried.
    """

    __tablename__ = "nurture_steps"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    plan: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(Integer)
    step_index: Mapped[int] = mapped_column(Integer)
    step_title: Mapped[str] = mapped_column(String(150))  # finds the step after plan edits
    doer: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="due")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("lead_id", "plan", "seq", name="uq_nurture_steps_lead_plan_seq"),
        Index("ix_nurture_steps_state_due_at", "state", "due_at"),  # the sweep
        Index("ix_nurture_steps_doer_state_due_at", "doer", "state", "due_at"),  # /lead mine
    )


class ChannelPaceRow(Base):
    """The earliest time the next message may be posted to a channel, shared by replicas."""

    __tablename__ = "channel_pace"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SlackEventRow(Base):
    """Events API deliveries already handled, so Slack's retries are harmless."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IntakeReceiptRow(Base):
    """Web intake requests already answered, by `webhook-id`: a retry gets the first answer."""

    __tablename__ = "intake_receipts"

    hook: Mapped[str] = mapped_column(String(16), primary_key=True)  # leads or engagement
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[int] = mapped_column(Integer)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


TOUCHES = cast(Table, TouchRow.__table__)
AUDIT = cast(Table, AuditRow.__table__)
HISTORY = cast(Table, StageHistoryRow.__table__)
LEADS = cast(Table, LeadRow.__table__)
NURTURE_STEPS = cast(Table, NurtureStepRow.__table__)
NURTURE_ENROLMENTS = cast(Table, NurtureEnrolmentRow.__table__)
