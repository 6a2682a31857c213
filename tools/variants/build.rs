//! Finds the `generated.bin` shipped in the resolved `jntajis` package (the same file
//! jntajis embeds with `include_bytes!`) and passes its path and the package version to
//! `main.rs` as compile-time environment variables.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(PathBuf::from(&manifest_dir).join("Cargo.toml"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let pkg = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "jntajis")
        .expect("jntajis in cargo metadata");
    let version = pkg["version"].as_str().expect("version");
    let manifest = PathBuf::from(pkg["manifest_path"].as_str().expect("manifest_path"));
    let bin = manifest
        .parent()
        .expect("package dir")
        .join("src/codec/generated.bin");
    assert!(bin.is_file(), "not found: {}", bin.display());
    println!("cargo:rerun-if-changed={}", bin.display());
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rustc-env=JNTAJIS_GENERATED_BIN={}", bin.display());
    println!("cargo:rustc-env=JNTAJIS_VERSION={version}");
}
