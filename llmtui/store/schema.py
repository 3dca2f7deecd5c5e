"""The store's tables. Timestamps are UTC epoch seconds (REAL): sortable and cheap to bucket.

Editable rows carry a `version` column used as SQLAlchemy's version counter, so two
instances saving the same row cannot silently overwrite each other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, Any: JSON}


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    api_base: Mapped[str | None] = mapped_column(Text)
    api_version: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Fernet token of a JSON object holding the type's secret fields; never plaintext.
    secret_token: Mapped[str | None] = mapped_column(Text)
    key_mask: Mapped[str | None] = mapped_column(String(40))
    # `os.environ/NAME` reference written instead of a stored key.
    key_env: Mapped[str | None] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[float | None] = mapped_column(Float)
    last_test_at: Mapped[float | None] = mapped_column(Float)
    last_test_ok: Mapped[bool | None] = mapped_column(Boolean)
    last_test_latency_ms: Mapped[float | None] = mapped_column(Float)
    last_test_model_count: Mapped[int | None] = mapped_column(Integer)
    last_test_error: Mapped[str | None] = mapped_column(Text)
    last_test_endpoint: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)

    deployments: Mapped[list[Deployment]] = relationship(back_populates="provider")

    __mapper_args__ = {"version_id_col": version}


class Deployment(Base):
    """One upstream model on one provider, served under a group name (LiteLLM `model_name`)."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="RESTRICT"))
    upstream_model: Mapped[str] = mapped_column(Text)
    group_name: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    input_cost_per_1m: Mapped[float | None] = mapped_column(Float)
    output_cost_per_1m: Mapped[float | None] = mapped_column(Float)
    context_window: Mapped[int | None] = mapped_column(Integer)
    max_output_tokens: Mapped[int | None] = mapped_column(Integer)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    # litellm_params / model_info keys llmtui has no column for (kept from imports).
    extra_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    extra_model_info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    stable_id: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="manual")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)

    provider: Mapped[Provider] = relationship(back_populates="deployments")

    __table_args__ = (
        UniqueConstraint("provider_id", "upstream_model", "group_name", name="uq_models_identity"),
        Index("ix_models_group_name", "group_name"),
        Index("ix_models_provider_id", "provider_id"),
    )
    __mapper_args__ = {"version_id_col": version}


class FallbackChain(Base):
    """Header row of one chain (group × kind); its version guards the whole ordered list."""

    __tablename__ = "fallback_chains"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)

    entries: Mapped[list[FallbackEntry]] = relationship(
        back_populates="chain",
        order_by="FallbackEntry.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    __table_args__ = (UniqueConstraint("group_name", "kind", name="uq_fallback_chains_group_kind"),)
    __mapper_args__ = {"version_id_col": version}


class FallbackEntry(Base):
    __tablename__ = "fallback_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[int] = mapped_column(ForeignKey("fallback_chains.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    fallback_group: Mapped[str] = mapped_column(Text)

    chain: Mapped[FallbackChain] = relationship(back_populates="entries")

    __table_args__ = (UniqueConstraint("chain_id", "position", name="uq_fallback_entries_pos"),)


class RetryPolicy(Base):
    """Per-error retries (RetryPolicy) and allowed fails (AllowedFailsPolicy)."""

    __tablename__ = "retry_policies"

    error_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    retries: Mapped[int | None] = mapped_column(Integer)
    allowed_fails: Mapped[int | None] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ProxySetting(Base):
    """A key of router_settings / litellm_settings / general_settings / environment_variables."""

    __tablename__ = "proxy_settings"

    section: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class FallbackEvent(Base):
    """One request that needed (or tested) a fallback; source is proxy, simulated or live."""

    __tablename__ = "fallback_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[float] = mapped_column(Float)
    group_name: Mapped[str] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(40))
    status_code: Mapped[int | None] = mapped_column(Integer)
    served_by: Mapped[str | None] = mapped_column(Text)
    served_position: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    detail: Mapped[Any | None] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)

    __table_args__ = (
        Index("ix_fallback_events_time", "occurred_at"),
        Index("ix_fallback_events_group_time", "group_name", "occurred_at"),
        Index("ix_fallback_events_source_time", "source", "occurred_at"),
        # Exact percentiles: walk one group's served latencies in order, filtering time
        # and source inside the index (no table reads).
        Index(
            "ix_fallback_events_latency",
            "group_name",
            "outcome",
            "latency_ms",
            "occurred_at",
            "source",
            sqlite_where=text("latency_ms IS NOT NULL"),
        ),
    )


class FallbackRollupOutcome(Base):
    """fallback_events counted per hour and per UTC day; kept by SQL triggers (0002).

    Metrics read these few thousand rows instead of scanning a million events.
    `served_by` is '' when nothing served (a primary key column cannot be NULL).
    """

    __tablename__ = "fallback_rollup_outcome"

    grain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_name: Mapped[str] = mapped_column(Text, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(20), primary_key=True)
    served_by: Mapped[str] = mapped_column(Text, primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    latency_n: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float)


class FallbackRollupTrigger(Base):
    """fallback_events counted per trigger, hour and UTC day; kept by SQL triggers (0002)."""

    __tablename__ = "fallback_rollup_trigger"

    grain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    group_name: Mapped[str] = mapped_column(Text, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(40), primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    """Append-only: triggers in the migration refuse UPDATE and DELETE."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    os_user: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_name: Mapped[str | None] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    affects_config: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_entity", "entity_type", "entity_name"),
    )


class Apply(Base):
    """One attempt to write the config and restart the proxy."""

    __tablename__ = "applies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)
    config_path: Mapped[str] = mapped_column(Text)
    new_sha256: Mapped[str | None] = mapped_column(String(64))
    old_sha256: Mapped[str | None] = mapped_column(String(64))
    backup_path: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    step: Mapped[str | None] = mapped_column(String(40))
    restart_argv: Mapped[Any | None] = mapped_column(JSON)
    restart_output: Mapped[str | None] = mapped_column(Text)
    health_error: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    audit_high_water: Mapped[int | None] = mapped_column(Integer)
    pid: Mapped[int | None] = mapped_column(Integer)


class Backup(Base):
    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[float] = mapped_column(Float)
    config_path: Mapped[str] = mapped_column(Text)
    backup_path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    apply_id: Mapped[int | None] = mapped_column(ForeignKey("applies.id", ondelete="SET NULL"))
    deleted_at: Mapped[float | None] = mapped_column(Float)


class Setting(Base):
    """User settings; secret values are stored as Fernet tokens."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Meta(Base):
    """Store facts that are not user settings: master-key fingerprint, ingest offsets."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
