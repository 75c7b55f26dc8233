; Inno Setup 6 script: Lote's Windows installer (per user, no administrator rights).
;
; Built by packaging\windows\build.ps1, which freezes dist\lote with PyInstaller, runs its
; self-test and then calls
;   ISCC.exe /DAppVersion=<desktop_app.__version__> packaging\windows\lote.iss
; so the version is written in one place only (desktop_app/__init__.py).
;
; Where things go:
;   program     {autopf}\Lote = %LOCALAPPDATA%\Programs\Lote   (replaced on upgrade, removed on uninstall)
;   user data   %LOCALAPPDATA%\Lote  (platformdirs' user_data_dir: lote.sqlite3, backups\,
;               Logs\), settings in %APPDATA%\Lote, API keys in the Windows Credential
;               Manager: NEVER touched by the installer or the uninstaller.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=x.y.z lote.iss (build.ps1 does it)
#endif
#ifndef AppNumericVersion
  ; Windows' file version must be numbers only (0.2.0, not 0.2.0rc1): build.ps1 passes it.
  #define AppNumericVersion AppVersion
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\lote"
#endif
#define AppName "Lote"
#define AppExe "Lote.exe"

[Setup]
; The AppId identifies Lote to Windows across versions: never change it, or an upgrade
; installs a second copy instead of replacing the first.
AppId={{D0F51FD0-91CB-422F-8D73-D78EA1CCFD2F}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Lote
VersionInfoVersion={#AppNumericVersion}
; Per-user install: no UAC prompt, {autopf} is %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=lote-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\lote.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An upgrade while Lote is open: the Restart Manager asks it to close first (unsent
; invoices are already in the database; the next start sends them).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "es"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
es.DataKept=Sus facturas, copias de seguridad y registros quedan en %1 y no se borran.
en.DataKept=Your invoices, backups and logs stay in %1 and are not deleted.
es.NotInDataFolder=No instale Lote dentro de su carpeta de datos (%1): elija otra carpeta.
en.NotInDataFolder=Do not install Lote inside its data folder (%1): choose another folder.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the frozen program whole: a Qt plugin or DLL of the previous version
; left next to the new ones can keep Lote from starting. Only the program folder's
; _internal is cleared; nothing of the user's data lives there.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; {autoprograms} is the user's own Start menu (per-user install).
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Bandeja de salida de facturas electrónicas"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete]: the uninstaller removes exactly the files it installed, so the
; data folder (%LOCALAPPDATA%\Lote), the settings and the keys stay for a reinstall.

[Code]
function DataFolder(): String;
begin
  Result := ExpandConstant('{localappdata}\Lote');
end;

function IsInside(const Path, Folder: String): Boolean;
var
  P, F: String;
begin
  P := AddBackslash(Lowercase(Path));
  F := AddBackslash(Lowercase(Folder));
  Result := Copy(P, 1, Length(F)) = F;
end;

function NextButtonClick(CurPageID: Integer): Boolean;
begin
  Result := True;
  { The program folder is replaced on upgrade: it must never be, or contain, the data folder. }
  if (CurPageID = wpSelectDir) and
     (IsInside(WizardDirValue, DataFolder()) or IsInside(DataFolder(), WizardDirValue)) then
  begin
    MsgBox(FmtMessage(CustomMessage('NotInDataFolder'), [DataFolder()]), mbError, MB_OK);
    Result := False;
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(DataFolder()) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DataKept'), [DataFolder()]), mbInformation, MB_OK);
end;
