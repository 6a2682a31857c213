//! The packaging, checked without building the release programs: the Windows installer script
//! compiles with the real `makensis` from a stage made by the real staging script (stand-in
//! programs), unpacks with `7z` into exactly the staged files plus the uninstaller; the
//! Linux package's files exist and its desktop entry names the installed program and icon.
//! The Windows build itself is checked by `installer/build-windows.sh` (objdump, 7z).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} did not start ({e}): tests/run.sh installs it"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{cmd:?} failed:\n{text}");
    text
}

fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Stages stand-in programs with the real staging script and makes the installer with the
/// real `makensis`; returns (stage, setup.exe).
fn stage_and_make(tmp: &Path) -> (PathBuf, PathBuf) {
    let bin = tmp.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // Stand-ins: the installer does not look inside the programs.
    std::fs::write(bin.join("totsugo-app.exe"), b"MZ stand-in app").unwrap();
    std::fs::write(bin.join("totsugo.exe"), b"MZ stand-in cli").unwrap();
    let html = tmp.join("THIRD-PARTY-LICENSES.html");
    std::fs::write(&html, "<html>crates</html>").unwrap();
    let stage = tmp.join("stage");
    run(Command::new("bash")
        .arg(root().join("installer/stage-windows.sh"))
        .arg(&bin)
        .arg(&stage)
        .arg(&html));
    let setup = tmp.join("setup.exe");
    run(Command::new("makensis")
        .current_dir(root())
        .args(["-V2", "-INPUTCHARSET", "UTF8"])
        .arg(format!("-DVERSION={}", version()))
        .arg(format!("-DSTAGE={}", stage.display()))
        .arg(format!("-DOUTFILE={}", setup.display()))
        .arg("installer/totsugo.nsi"));
    (stage, setup)
}

#[test]
fn the_windows_installer_builds_from_the_stage_and_unpacks_to_exactly_those_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (stage, setup) = stage_and_make(tmp.path());
    for f in [
        "totsugo-app.exe",
        "totsugo.exe",
        "totsugo.ico",
        "README.txt",
        "licenses/LICENSE.txt",
        "licenses/THIRD-PARTY-LICENSES.html",
        "licenses/C-LIBRARIES.txt",
        "licenses/DATA-LICENSES.md",
        "licenses/fonts/OFL.txt",
        "licenses/fonts/BIZUDGothic-Regular.ttf",
    ] {
        assert!(stage.join(f).is_file(), "{f} is not staged");
    }
    // Notepad-friendly line ends, Japanese intact.
    let readme = std::fs::read_to_string(stage.join("README.txt")).unwrap();
    assert!(readme.contains("突合結果レビュー") && readme.contains("\r\n"));

    assert!(setup.is_file());
    let said = run(Command::new("bash")
        .arg(root().join("installer/check-windows.sh"))
        .arg("--no-pe")
        .arg(&setup)
        .arg(&stage));
    assert!(said.contains("all checks passed"), "{said}");

    // The installer's own strings: the Start-menu entry, the data kept on uninstall.
    let listing = run(Command::new("7z").arg("l").arg(&setup));
    assert!(listing.contains("uninstall.exe"), "{listing}");
    let script = std::fs::read_to_string(root().join("installer/totsugo.nsi")).unwrap();
    assert!(script.contains("$PROGRAMFILES64\\totsugo"));
    assert!(script.contains("CreateShortcut \"$SMPROGRAMS\\${PRODUCT}\\${PRODUCT}.lnk\""));
    assert!(
        script.contains("${If} $DeleteData == ${BST_CHECKED}"),
        "the data is deleted only when asked"
    );
}

#[test]
fn a_broken_stage_fails_the_installer_check() {
    // The check is real: a file changed after the installer was made is caught.
    let tmp = tempfile::tempdir().unwrap();
    let (stage, setup) = stage_and_make(tmp.path());
    std::fs::write(stage.join("totsugo.exe"), b"MZ changed").unwrap();
    let out = Command::new("bash")
        .arg(root().join("installer/check-windows.sh"))
        .arg("--no-pe")
        .arg(&setup)
        .arg(&stage)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not hold totsugo.exe"));
}

#[test]
fn the_linux_package_lists_files_that_exist_and_a_desktop_entry_that_fits() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let deb = manifest
        .split("[package.metadata.deb]")
        .nth(1)
        .expect("cargo-deb metadata");
    let assets = deb.split("assets = [").nth(1).unwrap();
    let mut sources = Vec::new();
    for line in assets.lines() {
        let line = line.trim();
        if line.starts_with("[\"") {
            let src = line.trim_start_matches("[\"").split('"').next().unwrap();
            sources.push(src.to_string());
        }
        if line == "]" {
            break;
        }
    }
    assert!(sources.len() >= 10, "{sources:?}");
    for s in &sources {
        // Built files come from the build; everything else is in the repository.
        if !s.starts_with("target/") {
            assert!(root().join(s).is_file(), "{s} is listed but missing");
        }
    }
    assert!(sources.iter().any(|s| s == "target/release/totsugo-app"));
    let desktop = std::fs::read_to_string(root().join("assets/linux/totsugo.desktop")).unwrap();
    assert!(desktop.starts_with("[Desktop Entry]"));
    assert!(desktop.lines().any(|l| l == "Exec=totsugo-app"));
    assert!(desktop.lines().any(|l| l == "Icon=totsugo"));
    assert!(desktop.lines().any(|l| l == "Name[ja]=突合結果レビュー"));
    // The icon the entry names is installed under that name, and the PNGs are the sizes their
    // names say (the window icon is the 256 px one).
    assert!(deb.contains("usr/share/icons/hicolor/256x256/apps/totsugo.png"));
    for size in [32u32, 48, 128, 256] {
        let png = std::fs::read(root().join(format!("assets/icons/totsugo-{size}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let w = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!((w, h), (size, size));
    }
    let ico = std::fs::read(root().join("assets/icons/totsugo.ico")).unwrap();
    assert_eq!(&ico[0..4], &[0, 0, 1, 0], "an .ico file");
    assert!(u16::from_le_bytes([ico[4], ico[5]]) >= 4, "several sizes");
}

/// The Windows resource template has the values the build script fills in, and the icon exists.
#[test]
fn the_windows_resources_name_the_icon_and_version() {
    let rc = std::fs::read_to_string(root().join("assets/windows/totsugo.rc")).unwrap();
    let build = std::fs::read_to_string(root().join("build.rs")).unwrap();
    for m in ["@ICON@", "@VERSION@", "@VERSION_NUM@"] {
        assert!(rc.contains(m) && build.contains(&format!("\"{m}\"")), "{m}");
    }
    assert!(Path::new(&root().join("assets/icons/totsugo.ico")).is_file());
}

/// On a machine where the Windows target cannot be installed, the build script says so plainly
/// and stops before building anything (exit code 2).
#[test]
fn the_windows_build_says_plainly_when_the_target_cannot_be_installed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("bin");
    std::fs::create_dir_all(&fake).unwrap();
    let sysroot = tmp.path().join("sysroot");
    std::fs::create_dir_all(sysroot.join("lib/rustlib/x86_64-unknown-linux-gnu/lib")).unwrap();
    // A Rust without the Windows target, and a rustup that cannot download.
    for (name, body) in [
        ("rustc", format!("#!/bin/sh\necho {}\n", sysroot.display())),
        (
            "rustup",
            "#!/bin/sh\necho 'error: could not download' >&2\nexit 1\n".to_string(),
        ),
    ] {
        let p = fake.join(name);
        std::fs::write(&p, body).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(root().join("installer/build-windows.sh"))
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", tmp.path().join("target"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("x86_64-pc-windows-gnu cannot be installed on this machine"),
        "{err}"
    );
    assert!(err.contains("Windows 版は作れません"), "{err}");
    assert!(!tmp.path().join("target").exists(), "nothing was built");
}
