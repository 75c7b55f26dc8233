"""Render resources/icons/lote.svg to the PNG sizes a Linux desktop wants and to the
Windows .ico (PNG-compressed entries, read by Windows Vista and later).

The outputs are committed, so building a package needs no SVG renderer; run this again
after changing the SVG:

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icons.py
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per size + the PNG streams."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, png in sorted(images.items()):
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        blobs += png
        offset += len(png)
    return header + entries + blobs


def main() -> int:
    _app = QGuiApplication(sys.argv)
    renderer = QSvgRenderer(str(ICONS / "lote.svg"))
    if not renderer.isValid():
        print("lote.svg no es un SVG válido", file=sys.stderr)
        return 1
    for size in PNG_SIZES:
        (ICONS / f"lote-{size}.png").write_bytes(render(renderer, size))
    (ICONS / "lote.ico").write_bytes(ico({size: render(renderer, size) for size in ICO_SIZES}))
    print(f"{ICONS}: lote-{{{','.join(map(str, PNG_SIZES))}}}.png, lote.ico")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
