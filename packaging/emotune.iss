; Inno Setup script for Windows (NOT built or tested here: the project builds on Linux only).
; Steps: on Windows, build the bundle with the same spec
;   py -3.11 -m venv .venv && .venv\Scripts\pip install -e . "pyinstaller>=6.10,<7"
;   .venv\Scripts\pyinstaller --noconfirm --distpath dist --workpath build packaging\emotune.spec
; then compile this script with Inno Setup 6:  iscc packaging\emotune.iss
; Needs assets\icons\emotune.ico (convert emotune.png, e.g. with ImageMagick).

#define AppVersion "0.1.0"

[Setup]
AppId={{6E6F7475-6E65-4D6F-6F64-4D7573696321}
AppName=Emotune
AppVersion={#AppVersion}
AppPublisher=Emotune developers
DefaultDirName={autopf}\Emotune
DefaultGroupName=Emotune
OutputDir=..\dist
OutputBaseFilename=Emotune-{#AppVersion}-setup
SetupIconFile=..\assets\icons\emotune.ico
UninstallDisplayIcon={app}\emotune.exe
Compression=lzma2
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\dist\emotune\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\Emotune"; Filename: "{app}\emotune.exe"
Name: "{group}\Uninstall Emotune"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\emotune.exe"; Description: "Start Emotune"; Flags: nowait postinstall skipifsilent
