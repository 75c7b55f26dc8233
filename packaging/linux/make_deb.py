#!/usr/bin/env python3
"""Package the PyInstaller bundle (dist/lote) as a .deb with dpkg-deb alone.

    python3 packaging/linux/make_deb.py [--bundle dist/lote] [--out dist] [--compression xz|gzip]

Layout: the bundle in /opt/lote, `lote` on the PATH (/usr/bin/lote, a relative link:
PyInstaller's bootloader follows it to /opt/lote/_internal), the desktop entry and the
icons in the freedesktop places (dpkg's triggers refresh the menus and the icon cache, so
no maintainer script is needed). Removing the package removes /opt/lote only: invoices,
backups and logs live in the user's folders.

The control file is packaging/linux/control.in with the version from
desktop_app/__init__.py (the one place it is written), the size, the architecture and
the lowest glibc the binaries need. The libraries the bundle leaves to the system
(lote.spec) must be in its Depends: every one that resolves on the build machine is
mapped to its Debian package with `dpkg -S`, and a package missing from Depends stops
the build with the line to add.

Standard library only: runs with any python3.
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ICONS = ROOT / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256)
MAINTAINER = "Lote <soporte@lote.invalid>"
HOMEPAGE = "https://lote.invalid"


def version() -> str:
    """`__version__` of desktop_app/__init__.py, read without importing the package."""
    tree = ast.parse((ROOT / "desktop_app" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("desktop_app/__init__.py has no __version__")


def debian_version(v: str) -> str:
    """PEP 440 pre-releases sort before the release in Debian only with a tilde."""
    return re.sub(r"(\d)(a|b|rc)(\d+)$", r"\1~\2\3", v).replace(".dev", "~dev")


def architecture() -> str:
    try:
        return subprocess.run(
            ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def _objdump(flag: str, files: list[Path]) -> str:
    out = []
    for start in range(0, len(files), 100):
        chunk = [str(f) for f in files[start : start + 100]]
        out.append(subprocess.run(["objdump", flag, *chunk], capture_output=True, text=True).stdout)
    return "\n".join(out)


def needed_glibc(files: list[Path]) -> str:
    """The newest GLIBC_x.y symbol version any binary asks for (objdump -T); without
    objdump, the build machine's own glibc (always enough, perhaps more than needed)."""
    if shutil.which("objdump"):
        versions = set(re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", _objdump("-T", files)))
        if versions:
            return max(versions, key=lambda v: tuple(int(p) for p in v.split(".")))
    return platform.libc_ver()[1] or "2.31"


def external_libraries(bundle: Path, files: list[Path]) -> set[str]:
    """Sonames the bundle's binaries link against that the bundle does not carry."""
    if not shutil.which("objdump"):
        return set()
    inside = {p.name for p in bundle.rglob("*.so*")}
    needed = set(re.findall(r"^\s+NEEDED\s+(\S+)", _objdump("-p", files), re.MULTILINE))
    return {name for name in needed if name not in inside}


def _ldconfig_paths() -> dict[str, str]:
    for tool in ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"):
        try:
            out = subprocess.run([tool, "-p"], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            continue
        found: dict[str, str] = {}
        for line in out.splitlines():
            m = re.match(r"\s+(\S+) \(([^)]*)\) => (\S+)", line)
            if m is None or (platform.machine() == "x86_64" and "x86-64" not in m.group(2)):
                continue  # 32-bit copies
            found.setdefault(m.group(1), m.group(3))
        return found
    return {}


def _packages_of(paths: list[str]) -> dict[str, str]:
    """Path -> Debian package, with one `dpkg -S` call (usrmerge: try the real path too)."""
    asked = sorted({p for path in paths for p in (path, os.path.realpath(path))})
    out = subprocess.run(["dpkg", "-S", *asked], capture_output=True, text=True).stdout
    owner: dict[str, str] = {}
    for line in out.splitlines():
        package, _, path = line.partition(": ")
        owner[path.strip()] = package.split(":", 1)[0].split(",")[0].strip()
    return {path: owner.get(path) or owner.get(os.path.realpath(path), "") for path in paths}


def _base(package: str) -> str:
    """libssl3t64 and libssl3 are the same library for this check (Debian's 64-bit
    time_t transition renamed packages)."""
    return re.sub(r"t64$", "", package.split(":")[0].strip())


def depends_packages(control: str) -> set[str]:
    m = re.search(r"^Depends:(.*)$", control, re.MULTILINE)
    names = set()
    for alternative in (m.group(1) if m else "").split(","):
        for choice in alternative.split("|"):
            name = choice.strip().split(" ")[0]
            if name:
                names.add(_base(name))
    return names


def check_depends(bundle: Path, files: list[Path], control: str) -> list[str]:
    """Problems: libraries of the system whose package is not in Depends."""
    libraries = external_libraries(bundle, files)
    if not libraries or not shutil.which("dpkg"):
        return []
    where = _ldconfig_paths()
    declared = depends_packages(control)
    unknown = sorted(name for name in libraries if name not in where)
    owners = _packages_of([where[name] for name in libraries if name in where])
    problems = []
    for soname in sorted(set(libraries) - set(unknown)):
        package = owners.get(where[soname])
        if package and _base(package) not in declared:
            problems.append(f"{soname} (package {package})")
    if unknown:
        print(f"make_deb: not installed here, not checked: {' '.join(unknown)}")
    return problems


def render_control(template: str, **values: str) -> str:
    text = template
    for key, value in values.items():
        text = text.replace(f"@{key.upper()}@", value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise SystemExit(f"control.in: no value for {' '.join(leftover)}")
    return text


def stage(bundle: Path, root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(bundle, root / "opt" / "lote", symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink("../../opt/lote/lote", root / "usr" / "bin" / "lote")
    apps = root / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy2(HERE / "lote.desktop", apps / "lote.desktop")
    hicolor = root / "usr" / "share" / "icons" / "hicolor"
    for size in PNG_SIZES:
        target = hicolor / f"{size}x{size}" / "apps"
        target.mkdir(parents=True)
        shutil.copy2(ICONS / f"lote-{size}.png", target / "lote.png")
    (hicolor / "scalable" / "apps").mkdir(parents=True)
    shutil.copy2(ICONS / "lote.svg", hicolor / "scalable" / "apps" / "lote.svg")
    doc = root / "usr" / "share" / "doc" / "lote"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Lote — offline-first outbox for electronic invoices.\nLicense: proprietary.\n"
        "Bundled: CPython (PSF License), Qt 6 and PySide6 (LGPLv3), and the Python packages "
        "listed in /opt/lote/_internal/*.dist-info with their own licenses.\n",
        encoding="utf-8",
    )
    for path in [root, *root.rglob("*")]:  # dpkg-deb refuses group/world-writable folders
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


def installed_size_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            total += path.stat().st_size
    return (total + 1023) // 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "lote")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "deb")
    parser.add_argument(
        "--compression",
        choices=["xz", "gzip"],
        default="xz",
        help="xz: 42 MB, about 45 s here; gzip: 56 MB, about 10 s",
    )
    args = parser.parse_args(argv)

    if not (args.bundle / "lote").is_file():
        print(
            f"make_deb: no bundle in {args.bundle}: run packaging/build_linux.sh", file=sys.stderr
        )
        return 1
    ver, arch = debian_version(version()), architecture()
    root = args.work / f"lote_{ver}_{arch}"
    stage(args.bundle, root)
    files = elf_files(root / "opt" / "lote")
    control = render_control(
        (HERE / "control.in").read_text(encoding="utf-8"),
        version=ver,
        arch=arch,
        installed_size=str(installed_size_kib(root)),
        maintainer=MAINTAINER,
        homepage=HOMEPAGE,
        glibc=needed_glibc(files),
    )
    problems = check_depends(root / "opt" / "lote", files, control)
    if problems:
        print(
            "make_deb: the bundle links against system libraries whose packages are not "
            "in packaging/linux/control.in's Depends:\n  " + "\n  ".join(problems),
            file=sys.stderr,
        )
        return 1
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(HERE / "lote.desktop")], check=True)
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN" / "control").write_text(control, encoding="utf-8")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"lote_{ver}_{arch}.deb"
    command = ["dpkg-deb", "--root-owner-group", f"-Z{args.compression}", "-z6"]
    if (
        "--threads-max"
        in subprocess.run(["dpkg-deb", "--help"], capture_output=True, text=True).stdout
    ):
        command.append(f"--threads-max={os.cpu_count() or 1}")  # dpkg >= 1.21.9: parallel xz
    subprocess.run(
        [*command, "--build", str(root), str(target)], check=True, stdout=subprocess.DEVNULL
    )
    print(
        f"{target} ({target.stat().st_size / 1e6:.0f} MB, installed "
        f"{installed_size_kib(root) / 1024:.0f} MiB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
