"""Converting a params block: key checks, light type checks, and `Block`, the base of the configs.

An unknown or a missing key raises `ConfigError` naming the block and the keys; a value of the
wrong type names the key and the value. Nothing here knows a conf group: the group modules of
`lutml.config` declare their blocks on top of this.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar, Union

T = TypeVar("T", bound="Block")


class ConfigError(ValueError):
    """A params block with unknown or missing keys, or a value of the wrong type."""


def plain(mapping: Any) -> Any:
    """An OmegaConf node -> plain containers (dicts, lists); anything else unchanged."""
    try:
        from omegaconf import DictConfig, ListConfig, OmegaConf
    except ImportError:  # pragma: no cover - omegaconf is a pinned dependency
        return mapping
    if isinstance(mapping, DictConfig | ListConfig):
        return OmegaConf.to_container(mapping, resolve=True)
    return mapping


def check_keys(mapping: Any, where: str, known: typing.Iterable[str]) -> None:
    """Raise `ConfigError` naming `where` unless `mapping` is a mapping with exactly the keys `known`."""
    if not isinstance(mapping, Mapping):
        raise ConfigError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    known = list(known)
    unknown = sorted(set(mapping) - set(known))
    missing = [k for k in known if k not in mapping]
    if unknown or missing:
        parts = []
        if unknown:
            parts.append(f"unknown keys {unknown}")
        if missing:
            parts.append(f"missing keys {missing}")
        raise ConfigError(f"{where}: {' and '.join(parts)} (known keys: {known})")


def _is_type(value: Any, tp: Any) -> bool:
    """A light check of a YAML value against a field annotation."""
    if tp is Any:
        return True
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        return any(_is_type(value, a) for a in typing.get_args(tp))
    if tp is type(None):
        return value is None
    if tp is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        (item,) = typing.get_args(tp) or (Any,)
        return isinstance(value, list) and all(_is_type(v, item) for v in value)
    if origin is dict:
        _, item = typing.get_args(tp) or (Any, Any)
        return isinstance(value, Mapping) and all(_is_type(v, item) for v in value.values())
    if isinstance(tp, type):
        return isinstance(value, tp)
    return True


def convert(value: Any, tp: Any, where: str) -> Any:
    """`value` as a field of annotation `tp`: a nested `Block` is built, anything else checked."""
    if isinstance(tp, type) and issubclass(tp, Block):
        return tp.from_mapping(value, where)
    if not _is_type(value, tp):
        name = getattr(tp, "__name__", None) or str(tp).replace("typing.", "")
        raise ConfigError(f"{where}: expected {name}, got {value!r}")
    return value


@dataclasses.dataclass(frozen=True)
class Block:
    """Base of the config blocks: `from_mapping` checks keys and types, nested blocks included."""

    @classmethod
    def from_mapping(cls: type[T], mapping: Any, where: str) -> T:
        mapping = plain(mapping)
        fields = dataclasses.fields(cls)
        check_keys(mapping, where, [f.name for f in fields])
        hints = typing.get_type_hints(cls)
        values = {
            f.name: convert(mapping[f.name], hints[f.name], f"{where}.{f.name}") for f in fields
        }
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """Plain containers again (for JSON metadata and MLflow params)."""
        return dataclasses.asdict(self)


def leaf_block(name: str, **fields: Any) -> type[Block]:
    """A frozen `Block` class named `name` whose keys are `fields` (key -> annotation, in order): the
    short form of a block that is only a list of typed keys (a prior op, a degradation's ranges)."""
    return dataclasses.make_dataclass(name, list(fields.items()), bases=(Block,), frozen=True)
