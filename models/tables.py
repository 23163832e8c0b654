"""All tables in one file (SQLModel).

Natural keys carry unique constraints; absent key parts are stored as '' (NOT NULL), never
NULL, so upserts behave the same on SQLite and PostgreSQL. Every programme row records the
import batch that last wrote it (`batch_id`); `RowVersion` keeps the prior state of rows a
batch updated, so a revert is exact.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Float, Index, Text, UniqueConstraint, case, func
from sqlmodel import Field, SQLModel

from models.formats import DEFAULT_AGGREGATION, DEFAULT_FREQUENCY

PROGRAMME_PARTNER_CODE = ""  # the reserved programme-level partner (an empty `partner` cell)


def _num() -> Optional[float]:
    return Field(default=None, sa_column=Column(Float(precision=53), nullable=True))


# --- reference data (created by `init`) -------------------------------------------------


class Region(SQLModel, table=True):
    """The six WCO regions."""

    code: str = Field(primary_key=True, max_length=8)
    name: str


class KeyFactor(SQLModel, table=True):
    """The ten key factors of the Revised Arusha Declaration."""

    __tablename__ = "key_factor"
    number: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str


# --- programme data ---------------------------------------------------------------------


class Donor(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    country: Optional[str] = None  # ISO 3166 alpha-3
    iati_ref: Optional[str] = None  # IATI organisation identifier, e.g. XM-DAC-301-1
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class Partner(SQLModel, table=True):
    """A partner administration; code '' is the reserved programme-level partner."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    country: Optional[str] = None  # ISO 3166 alpha-3
    region: Optional[str] = Field(default=None, foreign_key="region.code")
    joined_on: Optional[date] = None
    status: str = "active"
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class Agreement(SQLModel, table=True):
    """What a donor committed (a funding row with no partner)."""

    __table_args__ = (UniqueConstraint("donor_id", "phase"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    donor_id: int = Field(foreign_key="donor.id", index=True)
    phase: str = ""
    amount: Optional[float] = _num()
    currency: Optional[str] = None
    signed_on: Optional[date] = None
    start: Optional[date] = None
    end: Optional[date] = None
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class Funding(SQLModel, table=True):
    """Whom a donor funds (amount optional: never invent a per-partner split)."""

    __table_args__ = (UniqueConstraint("donor_id", "partner_id", "phase"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    donor_id: int = Field(foreign_key="donor.id", index=True)
    partner_id: int = Field(foreign_key="partner.id", index=True)
    phase: str = ""
    amount: Optional[float] = _num()
    currency: Optional[str] = None
    signed_on: Optional[date] = None
    start: Optional[date] = None
    end: Optional[date] = None
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class Result(SQLModel, table=True):
    """A node of the results framework (impact / outcome / output / other)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    title: str
    level: str
    parent_id: Optional[int] = Field(default=None, foreign_key="result.id")
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class Indicator(SQLModel, table=True):
    """An indicator of the results framework, with its reporting attributes (DESIGN.md,
    "Progress rules"): `frequency` — the periods in which actuals are due (annual by
    default) — and `aggregation` over time, stored resolved (the import writes the
    measure's default when none is given); a NULL left by any other writer reads as that
    default (`resolved_aggregation`)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    name: str
    level: str
    measure: str  # unit | percentage | ordinal | qualitative
    ascending: bool = True
    cumulative: bool = False
    frequency: str = Field(default=DEFAULT_FREQUENCY, sa_column_kwargs={"server_default": DEFAULT_FREQUENCY})
    aggregation: Optional[str] = None  # sum | mean | latest (see the docstring)
    unit: Optional[str] = None
    key_factor: Optional[int] = Field(default=None, foreign_key="key_factor.number")
    result_id: Optional[int] = Field(default=None, foreign_key="result.id")
    description: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    scale_min: Optional[float] = _num()
    scale_max: Optional[float] = _num()
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


def resolved_aggregation():
    """SQL for an indicator's aggregation over time: the stored one, else its measure's default."""
    by_measure = case(
        *[(Indicator.measure == measure, aggregation) for measure, aggregation in DEFAULT_AGGREGATION.items()],
        else_=DEFAULT_AGGREGATION["unit"],
    )
    return func.coalesce(Indicator.aggregation, by_measure)


class Activity(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True)
    title: str
    type: str
    start: date
    end: Optional[date] = None
    mode: Optional[str] = None
    status: Optional[str] = None
    participants: Optional[int] = None
    donor_id: Optional[int] = Field(default=None, foreign_key="donor.id")
    description: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class ActivityPartner(SQLModel, table=True):
    __tablename__ = "activity_partner"
    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", primary_key=True, index=True)


class ActivityKeyFactor(SQLModel, table=True):
    __tablename__ = "activity_key_factor"
    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    key_factor: int = Field(foreign_key="key_factor.number", primary_key=True)


class Baseline(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("indicator_id", "partner_id", "dimension", "dimension_value", "year"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id")
    partner_id: int = Field(foreign_key="partner.id", index=True)
    dimension: str = ""
    dimension_value: str = ""
    year: int
    value: Optional[float] = _num()
    value_text: Optional[str] = None  # qualitative indicators
    comment: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


class Value(SQLModel, table=True):
    """Target and actual of one indicator, partner, period and disaggregation."""

    __tablename__ = "result_value"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id", "partner_id", "period_start", "period_end", "dimension", "dimension_value",
            name="uq_result_value_key",
        ),
    )
    # No other index: the unique key (indicator first) serves lookups, and the bulk path
    # stays close to a plain executemany (bench/bench_import.py).
    id: Optional[int] = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id")
    partner_id: int = Field(foreign_key="partner.id")
    period_start: date
    period_end: date
    dimension: str = ""
    dimension_value: str = ""
    target: Optional[float] = _num()
    actual: Optional[float] = _num()
    target_text: Optional[str] = None  # qualitative indicators
    actual_text: Optional[str] = None
    comment: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    batch_id: Optional[int] = Field(default=None, foreign_key="import_batch.id")


# --- imports, revert, users, audit ------------------------------------------------------


class ImportBatch(SQLModel, table=True):
    """One import call (all its files), or one revert."""

    __tablename__ = "import_batch"
    id: Optional[int] = Field(default=None, primary_key=True)
    user: str
    at: datetime
    files: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of file names
    sha256: str = Field(sa_column=Column(Text, nullable=False))  # JSON list, same order as files
    kinds: str = ""  # comma-separated kinds
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    status: str = "committed"  # committed | reverted | submitted -> approved | returned
    source: str = "cli"  # upload | cli | demo | revert | review
    reverts: Optional[int] = Field(default=None, foreign_key="import_batch.id")
    # review of a partner's submitted batch (DESIGN.md, "Access": Review)
    reviewer: Optional[str] = None
    reviewed_at: Optional[datetime] = None
    reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))  # why it was returned
    applied_as: Optional[int] = None  # the batch its approval wrote


class PendingValue(SQLModel, table=True):
    """A partner's change to an indicator value waiting for review, kept apart from the
    approved values (`result_value`): the actual and comment as the file gave them (None:
    keep the stored one; `clears`: comma-separated columns the file cleared), with the file
    and row they came from. Approving applies them as a batch; returning deletes them."""

    __tablename__ = "pending_value"
    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
    indicator_id: int = Field(foreign_key="indicator.id")
    partner_id: int = Field(foreign_key="partner.id")
    period_start: date
    period_end: date
    dimension: str = ""
    dimension_value: str = ""
    actual: Optional[float] = _num()
    actual_text: Optional[str] = None
    comment: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    clears: str = ""
    file: str = ""
    row: int = 0


class RowVersion(SQLModel, table=True):
    """The prior state of a row that a batch updated (only updated rows, never created ones)."""

    __tablename__ = "row_version"
    __table_args__ = (Index("ix_row_version_batch", "batch_id", "table_name"),
                      Index("ix_row_version_prior_batch", "prior_batch_id", "table_name"))
    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id")
    table_name: str
    row_id: int
    prior_batch_id: Optional[int] = None
    prior: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the row's columns


class User(SQLModel, table=True):
    """A person who may sign in: role and scope (models.access), and the identity provider's
    issuer and subject recorded at the first verified sign-in (later ones must match)."""

    __tablename__ = "app_user"
    __table_args__ = (Index("ix_app_user_identity", "issuer", "subject", unique=True),)
    id: Optional[int] = Field(default=None, primary_key=True)
    email: str = Field(unique=True)
    role: str  # admin | editor | donor | partner | viewer
    donor_id: Optional[int] = Field(default=None, foreign_key="donor.id")
    partner_id: Optional[int] = Field(default=None, foreign_key="partner.id")
    created_at: datetime
    issuer: Optional[str] = None
    subject: Optional[str] = None


class AuditEvent(SQLModel, table=True):
    """Every write: imports, reverts, user changes."""

    __tablename__ = "audit_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime
    user: str
    action: str
    batch_id: Optional[int] = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


class PeriodLock(SQLModel, table=True):
    """Reporting closed through a date (DESIGN.md, "Access": Period locking): each move of
    the lock is a row; the newest row is the lock in force (through None: no lock)."""

    __tablename__ = "period_lock"
    id: Optional[int] = Field(default=None, primary_key=True)
    through: Optional[date] = None
    at: datetime
    user: str
