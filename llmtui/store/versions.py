"""Row versions never repeat for a key, even across delete and re-create.

Resetting a policy, a setting or a chain deletes its row. Re-created, it would start
again at version 1, and a save made against the old row's version 1 would be accepted
and silently overwrite the new row (ABA). So when a versioned row of these tables is
deleted through the ORM its last version is kept in `meta`, and a row later inserted
with the same natural key continues from there. A missing row always reads as
version 0, which only ever means "at its default".
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, delete, event, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapper, attributes

from llmtui.store.schema import FallbackChain, Meta, ProxySetting, RetryPolicy, Setting

# Natural key of each table whose rows are deleted and re-created by the services.
NATURAL_KEYS: dict[type, tuple[str, ...]] = {
    RetryPolicy: ("error_type",),
    ProxySetting: ("section", "key"),
    Setting: ("key",),
    FallbackChain: ("group_name", "kind"),
}
PREFIX = "row_version:"


def meta_key(target: Any) -> str:
    cls = type(target)
    values = [getattr(target, name) for name in NATURAL_KEYS[cls]]
    digest = hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:32]
    return f"{PREFIX}{cls.__tablename__}:{digest}"


def _after_delete(_mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    statement = sqlite_insert(Meta).values(key=meta_key(target), value=str(target.version))
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[Meta.key], set_={"value": statement.excluded.value}
        )
    )


def _after_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    key = meta_key(target)
    last = connection.execute(select(Meta.value).where(Meta.key == key)).scalar()
    if last is None:
        return
    version = int(last) + 1
    table = mapper.local_table
    where = [table.c[c.key] == getattr(target, c.key) for c in mapper.primary_key]
    connection.execute(update(table).where(*where).values(version=version))
    connection.execute(delete(Meta).where(Meta.key == key))
    attributes.set_committed_value(target, "version", version)


def install() -> None:
    """Idempotent: the listeners are registered once per process."""
    for cls in NATURAL_KEYS:
        if not event.contains(cls, "after_delete", _after_delete):
            event.listen(cls, "after_delete", _after_delete)
            event.listen(cls, "after_insert", _after_insert)
