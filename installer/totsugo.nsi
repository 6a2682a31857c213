; totsugo (突合結果レビュー): the Windows installer. Built by installer/build-windows.sh:
;   makensis -DVERSION=0.1.0 -DSTAGE=<staged files> -DOUTFILE=<setup.exe> installer/totsugo.nsi
; STAGE holds totsugo-app.exe, totsugo.exe, totsugo.ico, README.txt and licenses\ (with fonts\).
;
; Installs for every user of the machine into Program Files, with a Start-menu entry and an
; uninstaller. The data (the encrypted store, its key slots and settings) lives in each Windows
; user's %LOCALAPPDATA%\totsugo, or, when 「この端末の全員で共有」 is chosen (or /SHARED given),
; in C:\ProgramData\totsugo\data for every Windows account of the terminal, named by
; C:\ProgramData\totsugo\store-location.txt (src/core/location.rs reads it). An install or an
; update never touches the data; the uninstaller leaves it unless the person uninstalling ticks
; the box that deletes it.

; A 64-bit installer for a 64-bit program (it also runs under a 64-bit-only Wine).
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "VERSION is not defined: run installer/build-windows.sh"
!endif
!ifndef STAGE
  !error "STAGE is not defined: run installer/build-windows.sh"
!endif
!ifndef OUTFILE
  !define OUTFILE "totsugo-${VERSION}-setup.exe"
!endif

!define PRODUCT "突合結果レビュー"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\totsugo"

!include "MUI2.nsh"
!include "LogicLib.nsh"
!include "FileFunc.nsh"
!include "nsDialogs.nsh"

Name "${PRODUCT} (totsugo ${VERSION})"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\totsugo"
InstallDirRegKey HKLM "Software\totsugo" "InstallDir"
RequestExecutionLevel admin
BrandingText "totsugo ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1041 "ProductName" "${PRODUCT} (totsugo)"
VIAddVersionKey /LANG=1041 "FileDescription" "${PRODUCT} セットアップ"
VIAddVersionKey /LANG=1041 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1041 "LegalCopyright" "MIT License"

!define MUI_ICON "${STAGE}\totsugo.ico"
!define MUI_UNICON "${STAGE}\totsugo.ico"
!define MUI_ABORTWARNING
!define MUI_WELCOMEPAGE_TEXT "${PRODUCT}（totsugo）をこのコンピューターにインストールします。$\r$\n$\r$\n個人番号と住民基本台帳の突合結果のうち、不一致の記録を点検するためのアプリです。点検のデータは利用者ごとに暗号化して保管し、インストールや更新で消えることはありません。$\r$\n$\r$\n続けるには [次へ] を押してください。"
!define MUI_FINISHPAGE_RUN "$INSTDIR\totsugo-app.exe"
!define MUI_FINISHPAGE_RUN_TEXT "${PRODUCT}を起動する"
!define MUI_FINISHPAGE_SHOWREADME "$INSTDIR\README.txt"
!define MUI_FINISHPAGE_SHOWREADME_TEXT "はじめにお読みください（README）を開く"
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_LICENSE "${STAGE}\licenses\LICENSE.txt"
!insertmacro MUI_PAGE_DIRECTORY
Page custom StorePage StorePageLeave
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPage un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Japanese"

; 1: the terminal's shared store (C:\ProgramData\totsugo\data); 0: each Windows user's own.
Var SharedStore
Var RadioShared

Function .onInit
  SetRegView 64
  SetShellVarContext all
  StrCpy $SharedStore 0
  ; An earlier install chose the shared store: keep it.
  ${If} ${FileExists} "$APPDATA\totsugo\store-location.txt"
    StrCpy $SharedStore 1
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/SHARED" $R1
  ${IfNot} ${Errors}
    StrCpy $SharedStore 1
  ${EndIf}
FunctionEnd

Function StorePage
  !insertmacro MUI_HEADER_TEXT "保管場所" "点検のデータをどこに保管するかを選んでください。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateRadioButton} 0 0 100% 12u "Windows の利用者ごとに保管する（既定）"
  Pop $R1
  ${NSD_CreateLabel} 12u 14u 95% 20u "1つの Windows アカウントでアプリを使う端末向けです。%LOCALAPPDATA%\totsugo に保管します。"
  Pop $0
  ${NSD_CreateRadioButton} 0 42u 100% 12u "この端末の全員で共有する（C:\ProgramData\totsugo\data）"
  Pop $RadioShared
  ${NSD_CreateLabel} 12u 56u 95% 40u "担当者・責任者が別々の Windows アカウントでログオンする端末向けです。この端末の利用者（Users）に変更の権限を与えます。データは暗号化され、アプリの利用者ごとのパスワードでしか開けません。"
  Pop $0
  ${If} $SharedStore == 1
    ${NSD_Check} $RadioShared
  ${Else}
    ${NSD_Check} $R1
  ${EndIf}
  nsDialogs::Show
FunctionEnd

Function StorePageLeave
  ${NSD_GetState} $RadioShared $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $SharedStore 1
  ${Else}
    StrCpy $SharedStore 0
  ${EndIf}
FunctionEnd

Section "${PRODUCT}" SecMain
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  File "${STAGE}\totsugo-app.exe"
  File "${STAGE}\totsugo.exe"
  File "${STAGE}\totsugo.ico"
  File "${STAGE}\README.txt"
  SetOutPath "$INSTDIR\licenses"
  File /r "${STAGE}\licenses\*.*"
  SetOutPath "$INSTDIR"

  ; Where the data lives (never touched if it is already there).
  ${If} $SharedStore == 1
    CreateDirectory "$APPDATA\totsugo\data"
    ; Users (S-1-5-32-545) may change the store; inherited by the files the app makes.
    nsExec::ExecToLog 'icacls "$APPDATA\totsugo\data" /grant *S-1-5-32-545:(OI)(CI)M'
    Pop $0
    FileOpen $1 "$APPDATA\totsugo\store-location.txt" w
    FileWriteWord $1 0xFEFF
    FileWriteUTF16LE $1 "# totsugo: the shared store of this terminal (written by the installer)$\r$\n"
    FileWriteUTF16LE $1 "$APPDATA\totsugo\data$\r$\n"
    FileClose $1
  ${Else}
    ; Each Windows user's own store (a shared store's data, if any, stays where it is).
    Delete "$APPDATA\totsugo\store-location.txt"
  ${EndIf}

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\totsugo-app.exe" "" "$INSTDIR\totsugo.ico" 0
  CreateShortcut "$SMPROGRAMS\${PRODUCT}\アンインストール.lnk" "$INSTDIR\uninstall.exe"

  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKLM "Software\totsugo" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT} (totsugo)"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "totsugo"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\totsugo.ico"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

; ---------------------------------------------------------------------------------------------
; Uninstall: the program goes; the data stays unless asked.

Var DeleteData
Var DeleteDataBox

Function un.onInit
  SetRegView 64
  StrCpy $DeleteData 0
FunctionEnd

Function un.DataPage
  ${If} ${Silent}
    Abort
  ${EndIf}
  !insertmacro MUI_HEADER_TEXT "保管データ" "点検のデータを残すかどうかを選んでください。"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 60u "プログラムを削除しても、点検のデータ（暗号化した保管ファイル、鍵スロット、設定）は残ります。再インストールすればそのまま使えます。$\r$\n$\r$\n業務が終わってデータを消すときは、管理者がアプリの「保管データの消去」（または totsugo purge）で消去記録を作ってから消してください。"
  Pop $0
  SetShellVarContext all
  ${If} ${FileExists} "$APPDATA\totsugo\store-location.txt"
    ${NSD_CreateCheckbox} 0 70u 100% 24u "この端末の共有の保管データ（$APPDATA\totsugo）も削除する。元に戻せません。消去の記録は作られません。"
  ${Else}
    SetShellVarContext current
    ${NSD_CreateCheckbox} 0 70u 100% 24u "このユーザーの保管データ（$LOCALAPPDATA\totsugo）も削除する。元に戻せません。消去の記録は作られません。"
  ${EndIf}
  Pop $DeleteDataBox
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $DeleteDataBox $DeleteData
  ${If} $DeleteData == ${BST_CHECKED}
    MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "保管データを削除します。元に戻せません。よろしいですか。" IDYES +2
    Abort
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\アンインストール.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"

  Delete "$INSTDIR\totsugo-app.exe"
  Delete "$INSTDIR\totsugo.exe"
  Delete "$INSTDIR\totsugo.ico"
  Delete "$INSTDIR\README.txt"
  RMDir /r "$INSTDIR\licenses"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  DeleteRegKey HKLM "Software\totsugo"

  ${If} $DeleteData == ${BST_CHECKED}
    ; The terminal's shared store and its setting, or else the store of the user who runs the
    ; uninstaller (directories: %LOCALAPPDATA%\totsugo).
    SetShellVarContext all
    ${If} ${FileExists} "$APPDATA\totsugo\store-location.txt"
      RMDir /r "$APPDATA\totsugo"
    ${Else}
      SetShellVarContext current
      RMDir /r "$LOCALAPPDATA\totsugo"
    ${EndIf}
  ${EndIf}
SectionEnd
