; Inno Setup 6 script: turns PyInstaller's one-folder build (dist\InfusionDesk, from
; build.spec) into dist\InfusionDesk-<version>-setup.exe.
;
;   iscc /DAppVersion=0.1.0 installer\windows\InfusionDesk.iss
;
; Installs for all users under Program Files with a Start-menu shortcut to desk.exe (the
; GUI). The clinic's data is not the program's: the database, settings and logs live in
; each user's own folders (%LOCALAPPDATA%\InfusionDesk), which this setup never writes
; and its uninstaller never deletes -- an uninstall (or an upgrade) keeps the clinic's data.

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z InfusionDesk.iss
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\InfusionDesk"
#endif

[Setup]
; The same AppId on every release: a new version upgrades the old one in place.
AppId={{B6AB0C64-E96F-459C-B491-F7A44A40A44E}
AppName=Infusion Desk
AppVersion={#AppVersion}
AppVerName=Infusion Desk {#AppVersion}
AppPublisher=Infusion Desk
DefaultDirName={autopf}\Infusion Desk
DefaultGroupName=Infusion Desk
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=InfusionDesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\desk.ico
UninstallDisplayIcon={app}\desk.exe
UninstallDisplayName=Infusion Desk
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A desk still open would hold its files: ask to close it (the desk saves as it goes).
CloseApplications=yes

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Infusion Desk"; Filename: "{app}\desk.exe"; WorkingDir: "{app}"
Name: "{autodesktop}\Infusion Desk"; Filename: "{app}\desk.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\desk.exe"; Description: "{cm:LaunchProgram,Infusion Desk}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] section on purpose: the uninstaller removes only the files listed
; above, never %LOCALAPPDATA%\InfusionDesk (database, desk.ini, logs).
