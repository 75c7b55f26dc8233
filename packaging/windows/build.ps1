# Build Lote's Windows installer: PyInstaller bundle (dist\lote), its self-test, then
# Inno Setup (dist\lote-VERSION-setup.exe). Run from any folder, in PowerShell:
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
#
# Needs: Python 3.11 x64 from python.org (the `py` launcher), Inno Setup 6.3 or later
# (https://jrsoftware.org/isinfo.php; ISCC.exe on PATH or in its default folder).
# Everything else comes from PyPI into build\package-venv, pinned by packaging\constraints.txt.
param(
    [string]$Python = "py",
    [string]$PythonVersion = "-3.11",
    [string]$Iscc = ""
)
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")
$started = Get-Date
$venv = "build\package-venv"
$py = "$venv\Scripts\python.exe"

function Check($what) { if ($LASTEXITCODE -ne 0) { throw "$what failed (exit $LASTEXITCODE)" } }

# 1. Clean build environment: pyproject's runtime dependencies + PyInstaller, pinned.
New-Item -ItemType Directory -Force build, dist | Out-Null
if (-not (Test-Path $py)) {
    & $Python $PythonVersion -m venv $venv; Check "venv"
}
& $py -m pip install --quiet --upgrade pip; Check "pip"
& $py -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" |
    Out-File -Encoding ascii build\package-requirements.txt
& $py -m pip install --quiet -c packaging\constraints.txt -r build\package-requirements.txt pyinstaller pyinstaller-hooks-contrib
Check "pip install"

# 2. The bundle: dist\lote\Lote.exe (windowed) and dist\lote\lote-cli.exe (console).
& $py -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\lote.spec
Check "PyInstaller"
$size = (Get-ChildItem dist\lote -Recurse -File | Measure-Object -Property Length -Sum).Sum / 1MB
Write-Host ("Bundle: {0:N0} MiB unpacked" -f $size)

# 3. Self-test of the frozen program, without showing a window, logs in a temporary folder.
$env:QT_QPA_PLATFORM = "offscreen"
$env:LOTE_LOG_DIR = Join-Path $env:TEMP "lote-selftest-logs"
& dist\lote\lote-cli.exe --self-test
$selftest = $LASTEXITCODE
Remove-Item Env:QT_QPA_PLATFORM, Env:LOTE_LOG_DIR
if ($selftest -ne 0) { throw "the self-test of dist\lote failed" }

# 4. The installer, with the version from desktop_app\__init__.py.
$version = & $py -c "import ast,pathlib; t=ast.parse(pathlib.Path('desktop_app/__init__.py').read_text()); print(next(ast.literal_eval(n.value) for n in t.body if isinstance(n, ast.Assign) and n.targets[0].id == '__version__'))"
$numeric = ($version -replace '[^0-9.].*$', '')
if (-not $Iscc) {
    $Iscc = (Get-Command ISCC.exe -ErrorAction SilentlyContinue).Source
    if (-not $Iscc) { $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" }
}
& $Iscc /Q "/DAppVersion=$version" "/DAppNumericVersion=$numeric" packaging\windows\lote.iss
Check "Inno Setup"
Write-Host ("dist\lote-$version-setup.exe in {0:N0} s" -f ((Get-Date) - $started).TotalSeconds)
