"""The `look` block (conf/look/): a built-in look's name and its keyword parameters.

`LOOK_PARAMS` declares the built-in looks and the keys each one takes; the builders themselves
(the functions, `lutml.data.looks.LOOKS`) live with the data, above this floor. A test keeps the
two equal (the same names, each builder's parameters in its signature's order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from lutml.config.validators import ConfigError, check_keys, plain

#: Built-in look name -> the keyword parameters of its builder (lutml.data.looks.LOOKS), in order.
LOOK_PARAMS: dict[str, tuple[str, ...]] = {
    "teal_orange": ("contrast", "saturation", "shadows", "highlights"),
    "s_curve_split_tone": ("contrast", "pivot", "shadows", "highlights"),
    "faded_film": ("black", "white", "contrast", "saturation"),
    "bleach_bypass": ("strength", "saturation", "gamma"),
    "hue_shift": ("degrees", "saturation"),
    "ocio_aces_sdr": ("config", "src", "display", "view", "exposure"),
    "cross_process": ("red", "green", "blue", "saturation"),
    "day_for_night": ("stops", "saturation", "tint", "contrast"),
    "cube": ("path", "interpolation", "strength"),
}


@dataclasses.dataclass(frozen=True)
class LookConfig:
    """A look: the builder's name and its keyword parameters (they differ per look family)."""

    name: str
    params: dict[str, Any]

    @classmethod
    def from_mapping(cls, mapping: Any, where: str) -> LookConfig:
        mapping = plain(mapping)
        if not isinstance(mapping, Mapping) or "name" not in mapping:
            raise ConfigError(f"{where}: missing keys ['name'] (one of {sorted(LOOK_PARAMS)})")
        name = mapping["name"]
        if name not in LOOK_PARAMS:
            raise ConfigError(f"{where}.name: unknown look {name!r}; known: {sorted(LOOK_PARAMS)}")
        check_keys(mapping, f"{where} ({name})", ["name", *LOOK_PARAMS[name]])
        return cls(str(name), {k: v for k, v in mapping.items() if k != "name"})

    def to_dict(self) -> dict[str, Any]:
        """The `look` block as in params.yaml (what `lutml.data.looks.get_look` takes)."""
        return {"name": self.name, **self.params}
