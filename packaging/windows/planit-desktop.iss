; Inno Setup script: a per-user installer for Plan-it Desktop that needs no administrator.
;
; Built on Windows by the workflow (.github/workflows/installers.yml), after `pyinstaller
; packaging/planit-desktop.spec` has made dist\planit-desktop:
;
;     iscc /DAppVersion=0.1.0 packaging\windows\planit-desktop.iss
;
; It installs into the user's own programs folder (%LOCALAPPDATA%\Programs\Plan-it Desktop),
; adds a Start menu shortcut to the program without a console window, and can be uninstalled
; from Settings > Apps by the same user. Silent install for scripts:
;     planit-desktop-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /CURRENTUSER
; Each user's data stays in %LOCALAPPDATA%\Plan-it\planit-desktop and is never removed.

#define AppName "Plan-it Desktop"
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\planit-desktop"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{FFF1FD87-7BB6-4178-BFE6-CAFE57A8D8DE}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Plan-it
VersionInfoVersion={#AppVersion}
; With lowest privileges {autopf} is the user's own %LOCALAPPDATA%\Programs.
PrivilegesRequired=lowest
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=planit-desktop-{#AppVersion}-setup
SetupIconFile=..\icons\planit-desktop.ico
UninstallDisplayIcon={app}\planit-desktop-gui.exe
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; An open window keeps files in use: ask to close it rather than fail half-way.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "Create a &desktop shortcut"; Flags: unchecked

[Files]
; The whole one-folder bundle; an upgrade replaces it (ignoreversion) and removes nothing
; of the user's data, which lives elsewhere.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[InstallDelete]
; Files an older version had and this one does not: the bundle is replaced as a whole.
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\planit-desktop-gui.exe"; Comment: "Year end and learner data for the Plan-it coordinator"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\planit-desktop-gui.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\planit-desktop-gui.exe"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent
