"""Central's schema as the code before migrations created it (metadata.create_all, as of
commit 1ac8ff1), frozen here so the upgrade test keeps testing that starting point however
central's models change later. Do not edit to follow the models."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

devices = Table(
    "devices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), unique=True, nullable=False),
    Column("token_sha256", String(64), unique=True, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("device_id", Integer, ForeignKey("devices.id"), nullable=False),
    Column("referral_id", String(64), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("supersedes", Integer, nullable=True),
    Column("action", String(16), nullable=False),
    Column("note", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("receipt", String(40), unique=True, nullable=False),
    Column("status", String(24), nullable=False),
    Column("status_reason", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("status_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("device_id", "referral_id", "revision", name="uq_submission_key"),
    Index("ix_submission_referral", "device_id", "referral_id"),
)

status_events = Table(
    "status_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("submission_id", Integer, ForeignKey("submissions.id"), index=True, nullable=False),
    Column("status", String(24), nullable=False),
    Column("reason", Text, nullable=False),
    Column("by", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

providers = Table(
    "providers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("document", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
