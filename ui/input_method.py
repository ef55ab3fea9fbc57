"""Chinese typing with the input method the desktop runs.

Qt reaches an input method through a plugin named by ``QT_IM_MODULE``. The program's Qt (from
the PySide6 wheel, and in the bundle) ships the ``ibus`` and ``compose`` plugins only, while UOS
and Kylin run fcitx5 and set ``QT_IM_MODULE=fcitx``: Qt finds no such plugin and the clerk can
type no Chinese. fcitx5 also serves programs over the IBus protocol (its ibus front end), so a
module this Qt lacks is replaced by ``ibus`` before the application starts. fcitx 4 has no
such front end: there only a system-wide IBus (or fcitx5) gives Chinese input.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping, MutableMapping
from pathlib import Path

IM_VARIABLE = "QT_IM_MODULE"
FALLBACK = "ibus"
_PLUGIN_PREFIX = "lib"
_PLUGIN_SUFFIX = "platforminputcontextplugin"


def available_modules(plugin_dir: Path) -> set[str]:
    """Input-method modules whose plugin this Qt has (``ibus`` for
    ``libibusplatforminputcontextplugin.so``, ``…plugin.dll`` on Windows)."""
    folder = plugin_dir / "platforminputcontexts"
    if not folder.is_dir():
        return set()
    names: set[str] = set()
    for path in folder.iterdir():
        stem = path.name.split(".", 1)[0].removeprefix(_PLUGIN_PREFIX)
        if stem.endswith(_PLUGIN_SUFFIX):
            names.add(stem.removesuffix(_PLUGIN_SUFFIX))
    return names


def module_to_use(env: Mapping[str, str], available: Collection[str]) -> str | None:
    """The ``QT_IM_MODULE`` to set instead of the desktop's, or None to leave it as it is."""
    wanted = env.get(IM_VARIABLE, "").strip()
    if not wanted or wanted in available or FALLBACK not in available:
        return None
    return FALLBACK


def choose_input_method(
    plugin_dir: Path, env: MutableMapping[str, str] | None = None
) -> str | None:
    """Set ``QT_IM_MODULE`` to a module this Qt can load when the desktop's is missing (call
    before the application object is made). Returns the module set, or None."""
    target = os.environ if env is None else env
    module = module_to_use(target, available_modules(plugin_dir))
    if module is not None:
        target[IM_VARIABLE] = module
    return module
