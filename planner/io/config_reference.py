"""Every planner.toml key with its type, default and meaning, read off the configuration schema
(so the reference cannot drift from what the reader accepts). The meaning is each field's
``description`` in :mod:`planner.io.config`: the one place a key is explained."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass

from pydantic import BaseModel

from planner.io.config import PlannerConfig


@dataclass(frozen=True)
class ConfigKey:
    key: str
    type: str
    default: str
    meaning: str


def _type_name(annotation: object) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " | ".join(repr(a).replace("'", '"') for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin in (list, tuple):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        return f"list of {_type_name(args[0])}" if args else "list"
    if origin is dict:
        _, v = typing.get_args(annotation)
        return f"table of {_type_name(v)}"
    if annotation is type(None):
        return "none"
    return getattr(annotation, "__name__", str(annotation))


def _model(annotation: object) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def config_keys(model: type[BaseModel] = PlannerConfig, prefix: str = "") -> list[ConfigKey]:
    """The keys of ``model`` and its sub-tables, dotted (``case_types.<name>.min_tier``)."""
    out: list[ConfigKey] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        sub = _model(field.annotation)
        args = typing.get_args(field.annotation)
        if sub is not None:
            out += config_keys(sub, f"{key}.")
            continue
        if typing.get_origin(field.annotation) is dict and _model(args[1]) is not None:
            out += config_keys(args[1], f"{key}.<name>.")
            continue
        default = field.get_default(call_default_factory=True)
        shown = "" if default is None else (str(default).lower() if isinstance(default, bool) else str(default))
        meaning = (field.description or "").strip()
        out.append(ConfigKey(key, _type_name(field.annotation), shown, meaning))
    return out


def reference_markdown() -> str:
    """The reference as a Markdown table."""
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for k in config_keys():
        cells = [f"`{k.key}`", k.type, f"`{k.default}`" if k.default else "", k.meaning]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
