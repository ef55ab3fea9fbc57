"""Render the program icon's PNG sizes and the Windows .ico from resources/icons/justice-desktop.svg.

Run once after editing the SVG and commit what it writes:

    QT_QPA_PLATFORM=offscreen .venv/bin/python build_spec/make_icons.py

Writes resources/icons/justice-desktop-<N>.png (the sizes the .deb installs into the hicolor
theme, and a few more) and resources/icons/justice-desktop.ico (16–256 px: the small sizes as
32-bit BMP entries, which every Windows version and NSIS read, and 256 px as PNG, as Windows
Vista and later expect).
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "justice-desktop.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, b"PNG"):
        raise RuntimeError("PNG encoding failed")
    buffer.close()
    return bytes(data.data())


def bmp_entry(image: QImage) -> bytes:
    """An ICO image entry as a DIB: BITMAPINFOHEADER, bottom-up BGRA rows, then the AND mask."""
    size = image.width()
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, size * size * 4, 0, 0, 0, 0)
    rows: list[bytes] = []
    for y in range(size - 1, -1, -1):
        row = bytearray()
        for x in range(size):
            pixel = argb.pixel(x, y)  # 0xAARRGGBB
            row += struct.pack("<I", pixel)  # little-endian: B, G, R, A
        rows.append(bytes(row))
    # The AND mask is ignored for 32-bit images but must be present: all zero (opaque where
    # alpha says so), rows padded to 32 bits.
    mask_row = ((size + 31) // 32) * 4
    mask = bytes(mask_row * size)
    return header + b"".join(rows) + mask


def ico_bytes(images: list[QImage]) -> bytes:
    entries: list[tuple[int, bytes]] = []
    for image in images:
        size = image.width()
        entries.append((size, png_bytes(image) if size >= 256 else bmp_entry(image)))
    out = bytearray(struct.pack("<HHH", 0, 1, len(entries)))
    offset = 6 + 16 * len(entries)
    for size, data in entries:
        dim = 0 if size >= 256 else size  # 0 means 256 in the directory
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    for _, data in entries:
        out += data
    return bytes(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ICONS, help="output folder")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    images = {size: render(renderer, size) for size in sorted(set(PNG_SIZES) | set(ICO_SIZES))}
    for size in PNG_SIZES:
        (out / f"justice-desktop-{size}.png").write_bytes(png_bytes(images[size]))
    (out / "justice-desktop.ico").write_bytes(ico_bytes([images[s] for s in ICO_SIZES]))
    del app
    print(f"wrote {len(PNG_SIZES)} PNG files and justice-desktop.ico to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
