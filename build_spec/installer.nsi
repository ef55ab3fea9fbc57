; Windows installer for 司法所工作台 (justice-desktop): NSIS 3, Unicode, MUI2, Chinese interface.
;
; Built by build_spec/build_installer.py (`make installer`), which passes:
;   -DVERSION=0.1.0              the program's version (justice_desktop.__version__)
;   -DVERSION_NUMERIC=0.1.0.0    the same as four numbers, for the .exe's version resource
;   -DBUNDLE_DIR=/abs/dist/justice-desktop   the PyInstaller one-folder bundle (Windows build)
;   -DBUNDLE_ENTRIES=/abs/build/.../bundle-entries.nsh  the uninstaller's removal lines for the
;                                bundle's top-level files and folders (generated)
;   -DICON_FILE=/abs/resources/icons/justice-desktop.ico
;   -DOUTFILE=/abs/dist/justice-desktop-0.1.0-setup.exe
; optionally -DCOMPRESSOR=zlib (the tests: faster) and -DCHECK_ONLY (the payload is not a
; Windows bundle: the installer is a compile check and refuses to install).
;
; What it does (see build_spec/PACKAGING.md):
; - installs the bundle into "C:\Program Files\justice-desktop" (ASCII: some libraries still
;   mishandle non-ASCII paths), Start-menu and desktop shortcuts named 司法所工作台 for all users;
; - registers an uninstaller in 应用和功能 / 程序和功能 (version, publisher, size);
; - upgrade in place: finds an existing installation in the registry, runs its uninstaller in
;   upgrade mode (program files only) and installs the new files in the same folder;
; - the user's data is never under the install folder: it lives in
;   %LOCALAPPDATA%\justice-desktop (platformdirs, justice_desktop/paths.py). Uninstalling keeps
;   it unless the user ticks 同时删除账户 <name> 在本机的全部数据（无法恢复） (off by default; never
;   in silent or upgrade mode): the data of the Windows account running the (elevated)
;   uninstaller, which is the administrator's when an administrator elevates for a clerk;
; - refuses Windows older than 10 and 32-bit Windows;
; - installing or uninstalling while the program runs asks the user to close it first.

Unicode true
ManifestDPIAware true
RequestExecutionLevel admin

!ifndef VERSION
  !error "VERSION is not defined: build with build_spec/build_installer.py (makensis -DVERSION=...)"
!endif
!ifndef VERSION_NUMERIC
  !error "VERSION_NUMERIC is not defined (four numbers, e.g. 0.1.0.0)"
!endif
!ifndef BUNDLE_DIR
  !error "BUNDLE_DIR is not defined: the PyInstaller one-folder bundle to install"
!endif
!ifndef BUNDLE_ENTRIES
  !error "BUNDLE_ENTRIES is not defined: the uninstaller's list of the bundle's top-level entries"
!endif
!ifndef ICON_FILE
  !define ICON_FILE "..\resources\icons\justice-desktop.ico"
!endif
!ifndef OUTFILE
  !define OUTFILE "justice-desktop-${VERSION}-setup.exe"
!endif
!ifndef COMPRESSOR
  !define COMPRESSOR "lzma"
!endif
!ifndef PUBLISHER
  !define PUBLISHER "司法所工作台开发组"
!endif

!define PRODUCT_NAME "司法所工作台"
!define APP_ID "justice-desktop"
!define EXE_NAME "justice-desktop.exe"
!define CLI_EXE_NAME "justice-desktop-cli.exe"
!define UNINSTALLER "uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP_ID}"
; platformdirs.user_data_dir("justice-desktop", appauthor=False) on Windows
!define DATA_DIR "$LOCALAPPDATA\${APP_ID}"

SetCompressor /SOLID ${COMPRESSOR}
Name "${PRODUCT_NAME}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP_ID}"
BrandingText "${PRODUCT_NAME} ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "WordFunc.nsh"
!include "x64.nsh"
!include "WinVer.nsh"
!include "nsDialogs.nsh"

VIProductVersion "${VERSION_NUMERIC}"
VIFileVersion "${VERSION_NUMERIC}"
VIAddVersionKey /LANG=2052 "ProductName" "${PRODUCT_NAME}"
VIAddVersionKey /LANG=2052 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=2052 "FileDescription" "${PRODUCT_NAME} 安装程序"
VIAddVersionKey /LANG=2052 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "LegalCopyright" "${PUBLISHER}"
VIAddVersionKey /LANG=2052 "InternalName" "${APP_ID}"

; ---------------------------------------------------------------- interface
!define MUI_ICON "${ICON_FILE}"
!define MUI_UNICON "${ICON_FILE}"
!define MUI_ABORTWARNING
!define MUI_UNABORTWARNING

!define MUI_WELCOMEPAGE_TITLE "欢迎安装${PRODUCT_NAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "本向导将在这台电脑上安装${PRODUCT_NAME}（人民调解、法律明白人、法律咨询与法律顾问工作的离线工作台）。$\r$\n$\r$\n如果这台电脑已安装旧版本，将原地升级：只替换程序文件，本机的工作数据保持不变。$\r$\n$\r$\n安装前请关闭正在运行的${PRODUCT_NAME}。"
!insertmacro MUI_PAGE_WELCOME
!define MUI_PAGE_CUSTOMFUNCTION_PRE SkipDirectoryOnUpgrade
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "立即运行${PRODUCT_NAME}"
!define MUI_FINISHPAGE_RUN_FUNCTION LaunchAsUser
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPageCreate un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "SimpChinese"

Var ExistingDir        ; install folder of an earlier installation ("" if none)
Var ExistingVersion
Var DeleteData         ; uninstaller: 1 = the user asked to delete the data folder
Var DataCheckbox
Var UpgradeMode        ; uninstaller: 1 = run by a newer installer (program files only)

; ---------------------------------------------------------------- shared helpers
; Asks the user to close the program while one of its executables is in use (a running .exe
; cannot be opened for writing on Windows): the window (justice-desktop.exe) or the command
; line (justice-desktop-cli.exe, e.g. a scheduled sync). "取消" aborts the installer / uninstaller.
!macro IS_LOCKED FILE RESULT
  StrCpy ${RESULT} 0
  ${If} ${FileExists} "${FILE}"
    ClearErrors
    FileOpen $R9 "${FILE}" a
    ${If} ${Errors}
      StrCpy ${RESULT} 1
    ${Else}
      FileClose $R9
    ${EndIf}
  ${EndIf}
!macroend

!macro WAIT_FOR_PROGRAM_CLOSED UN
Function ${UN}WaitForProgramClosed
  Exch $0 ; folder
  Push $1
  Push $2
  Push $R9
  ${Do}
    !insertmacro IS_LOCKED "$0\${EXE_NAME}" $1
    !insertmacro IS_LOCKED "$0\${CLI_EXE_NAME}" $2
    ${If} $1 == 0
    ${AndIf} $2 == 0
      ${Break}
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PRODUCT_NAME}正在运行。$\r$\n$\r$\n请先保存工作并关闭所有${PRODUCT_NAME}窗口（以及正在进行的命令行同步），然后点击“重试”。" /SD IDCANCEL IDRETRY retry
    SetErrorLevel 2
    Quit
    retry:
  ${Loop}
  Pop $R9
  Pop $2
  Pop $1
  Pop $0
FunctionEnd
!macroend
!insertmacro WAIT_FOR_PROGRAM_CLOSED ""
!insertmacro WAIT_FOR_PROGRAM_CLOSED "un."

; ---------------------------------------------------------------- installer
Function .onInit
!ifdef CHECK_ONLY
  MessageBox MB_OK|MB_ICONSTOP "此安装程序仅用于构建检查（其中不是Windows版程序），不能安装。"
  SetErrorLevel 3
  Quit
!endif
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "${PRODUCT_NAME}需要64位Windows（Windows 10或更高版本）。"
    SetErrorLevel 3
    Quit
  ${EndIf}
  ; Qt 6 (and so the program) needs Windows 10 or later: refuse Windows 7/8/8.1 here rather
  ; than install a program that cannot start.
  ${IfNot} ${AtLeastWin10}
    MessageBox MB_OK|MB_ICONSTOP "${PRODUCT_NAME}需要Windows 10或更高版本（64位）。这台电脑的Windows版本过旧，无法安装。"
    SetErrorLevel 3
    Quit
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ReadRegStr $ExistingDir HKLM "${UNINST_KEY}" "InstallLocation"
  ReadRegStr $ExistingVersion HKLM "${UNINST_KEY}" "DisplayVersion"
  ${If} $ExistingDir != ""
  ${AndIf} ${FileExists} "$ExistingDir\${UNINSTALLER}"
    StrCpy $INSTDIR $ExistingDir
    ${VersionCompare} "$ExistingVersion" "${VERSION}" $0
    ${If} $0 == 1
      MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "这台电脑已安装较新的版本 $ExistingVersion。$\r$\n$\r$\n较新版本保存的数据，旧版本可能无法打开。确定要换成旧版本 ${VERSION} 吗？" /SD IDNO IDYES downgrade
      Quit
      downgrade:
    ${EndIf}
  ${Else}
    StrCpy $ExistingDir ""
  ${EndIf}
FunctionEnd

Function SkipDirectoryOnUpgrade
  ${If} $ExistingDir != ""
    Abort ; an upgrade goes into the existing folder: no folder page
  ${EndIf}
FunctionEnd

; The finish page runs the program through Explorer so that it starts as the signed-in user,
; not elevated (its data folder is that user's %LOCALAPPDATA%).
Function LaunchAsUser
  Exec '"$WINDIR\explorer.exe" "$INSTDIR\${EXE_NAME}"'
FunctionEnd

Section "${PRODUCT_NAME}" SecProgram
  SectionIn RO
  SetRegView 64
  SetShellVarContext all

  Push $INSTDIR
  Call WaitForProgramClosed

  ${If} $ExistingDir != ""
    DetailPrint "升级：移除旧版本 $ExistingVersion 的程序文件（保留数据）"
    ClearErrors
    ; _?= runs the old uninstaller in place (no copy to %TEMP%) and waits for it
    ExecWait '"$ExistingDir\${UNINSTALLER}" /S /UPGRADE _?=$ExistingDir' $0
    ${If} ${Errors}
    ${OrIf} $0 != 0
      MessageBox MB_OK|MB_ICONSTOP "无法移除旧版本的程序文件（代码 $0）。请关闭${PRODUCT_NAME}后重新运行安装程序。"
      SetErrorLevel 2
      Quit
    ${EndIf}
    Delete "$ExistingDir\${UNINSTALLER}"
  ${EndIf}

  SetOutPath "$INSTDIR"
  File /r "${BUNDLE_DIR}/*"
  File "/oname=${APP_ID}.ico" "${ICON_FILE}"
  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  CreateShortcut "$SMPROGRAMS\${PRODUCT_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${APP_ID}.ico" 0
  CreateShortcut "$DESKTOP\${PRODUCT_NAME}.lnk" "$INSTDIR\${EXE_NAME}" "" "$INSTDIR\${APP_ID}.ico" 0

  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${PRODUCT_NAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_ID}.ico"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
SectionEnd

; ---------------------------------------------------------------- uninstaller
Function un.onInit
  SetRegView 64
  SetShellVarContext all
  StrCpy $DeleteData 0
  StrCpy $UpgradeMode 0
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/UPGRADE" $1
  ${IfNot} ${Errors}
    StrCpy $UpgradeMode 1
  ${EndIf}
FunctionEnd

Function un.DataPageCreate
  !insertmacro MUI_HEADER_TEXT "本机数据" "选择是否同时删除本账户保存的工作数据。"
  nsDialogs::Create 1018
  Pop $0
  ${If} $0 == error
    Abort
  ${EndIf}
  ; The uninstaller runs elevated: as the Windows account that gave the administrator
  ; password. When an IT administrator elevates for a clerk with a standard account, that is
  ; the administrator's account, so the folder below (and the one deleted) is the
  ; administrator's, not the clerk's: say so.
  ReadEnvStr $1 USERNAME
  SetShellVarContext current
  ${NSD_CreateLabel} 0 0 100% 100u "卸载只删除程序文件。默认保留工作数据，以后重新安装即可继续使用。$\r$\n$\r$\n下面的选项只删除正在运行卸载程序的Windows账户（$1）的数据文件夹（加密数据库、备份、附件、日志）：$\r$\n${DATA_DIR}$\r$\n$\r$\n如果卸载时输入的是管理员账户的密码，删除的是管理员账户的数据；其他Windows账户（例如日常使用本程序的账户）的数据不会被删除，需要登录该账户后手动删除。"
  Pop $0
  SetShellVarContext all
  ${NSD_CreateCheckbox} 0 106u 100% 12u "同时删除账户 $1 在本机的全部数据（无法恢复）"
  Pop $DataCheckbox
  ${NSD_Uncheck} $DataCheckbox
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $DataCheckbox $0
  ${If} $0 == ${BST_CHECKED}
    ReadEnvStr $1 USERNAME
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "确定要删除Windows账户 $1 在本机的全部数据吗？$\r$\n$\r$\n该账户的所有案件、名册、附件和备份都将被删除，无法恢复。" IDYES confirmed
    Abort ; back to the page
    confirmed:
    StrCpy $DeleteData 1
  ${Else}
    StrCpy $DeleteData 0
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetRegView 64
  SetShellVarContext all

  Push $INSTDIR
  Call un.WaitForProgramClosed

  ; Program files only: the top-level entries of the bundle (listed by build_installer.py,
  ; so that a folder the user chose is never removed wholesale) and the installer's own files.
  !include "${BUNDLE_ENTRIES}"
  Delete "$INSTDIR\${APP_ID}.ico"

  ${If} $UpgradeMode == 1
    ; A newer installer replaces the files next: keep the folder, the shortcuts, the
    ; registration and (always) the data. The caller deletes this uninstaller.
    Return
  ${EndIf}

  Delete "$SMPROGRAMS\${PRODUCT_NAME}.lnk"
  Delete "$DESKTOP\${PRODUCT_NAME}.lnk"
  Delete "$INSTDIR\${UNINSTALLER}"
  RMDir "$INSTDIR" ; only if empty
  DeleteRegKey HKLM "${UNINST_KEY}"

  ${If} $DeleteData == 1
    SetShellVarContext current
    DetailPrint "删除本机数据：${DATA_DIR}"
    RMDir /r "${DATA_DIR}"
    SetShellVarContext all
  ${EndIf}
SectionEnd
