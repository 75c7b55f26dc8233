"""Entry point of the frozen Lote (PyInstaller): the same `lote` command as the wheel's
console script, so `Lote --self-test`, `Lote sync --once` and a double-click (the
window) all work from the bundle."""

import multiprocessing
import sys

from desktop_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())
