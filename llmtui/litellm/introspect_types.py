"""Python annotations -> the YAML value kinds they admit (for introspect.py)."""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any


def type_of(annotation: Any) -> dict[str, Any]:
    """A JSON description of what YAML values an annotation admits: kinds plus literals."""
    kinds: set[str] = set()
    values: list[Any] = []
    _collect(annotation, kinds, values, depth=0)
    if "any" in kinds or not kinds:
        return {"kinds": ["any"]}
    result: dict[str, Any] = {"kinds": sorted(kinds)}
    if values and kinds <= {"str", "null", "literal"}:
        result["values"] = values
    kinds.discard("literal")
    result["kinds"] = sorted(kinds)
    return result


def _collect(annotation: Any, kinds: set[str], values: list[Any], depth: int) -> None:
    if depth > 8:
        kinds.add("any")
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is None or annotation is type(None):
        kinds.add("null")
    elif annotation is Any or isinstance(annotation, typing.TypeVar | str):
        kinds.add("any")
    elif origin is typing.Union or origin is types.UnionType:
        for arg in args:
            _collect(arg, kinds, values, depth + 1)
    elif origin is typing.Literal:
        for value in args:
            if isinstance(value, enum.Enum):
                value = value.value
            if isinstance(value, str | int | float | bool) or value is None:
                values.append(value)
                kinds.add("literal" if isinstance(value, str) else _scalar_kind(value))
            else:
                kinds.add("any")
    elif origin in (typing.Annotated,) or _is_required_wrapper(origin):
        _collect(args[0], kinds, values, depth + 1)
    elif origin is not None:
        _collect_class(origin, kinds, values)
    else:
        _collect_class(annotation, kinds, values)


def _is_required_wrapper(origin: Any) -> bool:
    wrappers = (getattr(typing, n, None) for n in ("Required", "NotRequired", "ReadOnly"))
    return origin is not None and origin in {w for w in wrappers if w is not None}


def _collect_class(cls: Any, kinds: set[str], values: list[Any]) -> None:
    if not isinstance(cls, type):
        kinds.add("any")
    elif issubclass(cls, enum.Enum):
        for member in cls:
            if isinstance(member.value, str):
                values.append(member.value)
                kinds.add("literal")
            else:
                kinds.add("any")
    elif cls is bool:
        kinds.add("bool")
    elif cls is int:
        kinds.add("int")
    elif cls is float:
        kinds.update({"int", "float"})
    elif cls is str:
        kinds.add("str")
    elif issubclass(cls, list | tuple | set | frozenset) or cls in _abc_sequences():
        kinds.add("list")
    elif issubclass(cls, dict) or cls in _abc_mappings() or _is_model(cls):
        kinds.add("dict")
    else:
        kinds.add("any")


def _scalar_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return "int" if isinstance(value, int) else "float"


def _abc_sequences() -> set[Any]:
    import collections.abc as abc

    return {abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection, abc.Set}


def _abc_mappings() -> set[Any]:
    import collections.abc as abc

    return {abc.Mapping, abc.MutableMapping}


def _is_model(cls: type) -> bool:
    """Pydantic models and TypedDicts are written as YAML mappings."""
    return hasattr(cls, "model_fields") or (
        issubclass(cls, dict) or hasattr(cls, "__required_keys__")
    )


def field_types(model: Any) -> dict[str, dict[str, Any]]:
    return {name: type_of(field.annotation) for name, field in model.model_fields.items()}


def param_types(function: Callable[..., Any]) -> dict[str, dict[str, Any]]:
    try:
        hints = typing.get_type_hints(function)
    except Exception:
        hints = {}
    out: dict[str, dict[str, Any]] = {}
    for name, param in inspect.signature(function).parameters.items():
        if name == "self" or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        annotation = hints.get(name, param.annotation)
        out[name] = type_of(Any if annotation is inspect.Parameter.empty else annotation)
    return out
