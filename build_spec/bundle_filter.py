"""What the PyInstaller spec (justice_desktop.spec) drops from what PySide6's hooks collect.

A function of the destination path inside the bundle, so that tests can check it on the path
shapes of both wheels: the Linux (and macOS) wheel keeps Qt under ``PySide6/Qt/plugins`` and
``PySide6/Qt/translations``, the Windows wheel directly under ``PySide6/plugins`` and
``PySide6/translations``. Plugin files are ``lib<name>.so`` on Linux and ``<name>.dll`` on
Windows, so the names below leave out the ``lib``.
"""

from __future__ import annotations

# Qt plugins: keep the platforms a desktop uses (xcb, wayland; windows) and the ones for
# automation (offscreen, minimal), image formats, the svg icon engine, input methods (ibus and
# compose; the Qt virtual keyboard would bring QML and Qt Quick, ~30 MB), printing and the XDG
# portal theme. The GTK3 theme plugin goes: it would bundle the build machine's GTK, cairo and
# pango, which must come from the desktop itself.
UNUSED_PLUGINS = (
    "platforminputcontexts/qtvirtualkeyboardplugin",
    "platformthemes/qgtk3",
    "egldeviceintegrations/",
    "generic/",
    "networkinformation/",
    "tls/",
    "platforms/qeglfs",
    "platforms/qlinuxfb",
    "platforms/qminimalegl",
    "platforms/qvkkhrdisplay",
    "platforms/qvnc",
)
PLUGIN_FOLDERS = ("PySide6/Qt/plugins/", "PySide6/plugins/")
TRANSLATION_FOLDERS = ("PySide6/Qt/translations/", "PySide6/translations/")


def unused(dest: str) -> bool:
    """True for a collected file the program never uses: a Qt plugin above, or one of Qt's
    translations other than the Chinese ones (the program speaks nothing else)."""
    dest = dest.replace("\\", "/")
    if dest.startswith(TRANSLATION_FOLDERS):
        return not dest.endswith("_zh_CN.qm") or "/qt_help_" in dest
    for folder in PLUGIN_FOLDERS:
        at = dest.find(folder)
        if at < 0:
            continue
        plugin = dest[at + len(folder) :]
        kind, _, name = plugin.rpartition("/")
        plugin = f"{kind}/{name.removeprefix('lib')}" if kind else name
        return any(pattern in plugin for pattern in UNUSED_PLUGINS)
    return False
