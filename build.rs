//! Build script: on Windows targets, compiles the icon and version information
//! (`assets/windows/totsugo.rc`) into both programs. Nothing happens on other targets.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/windows/totsugo.rc");
    println!("cargo:rerun-if-changed=assets/icons/totsugo.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let icon = std::path::Path::new(&dir).join("assets/icons/totsugo.ico");
    let version = std::env::var("CARGO_PKG_VERSION").expect("CARGO_PKG_VERSION");
    let n = |key: &str| std::env::var(key).unwrap_or_else(|_| "0".into());
    let macros = [
        format!(
            "TOTSUGO_ICON=\"{}\"",
            icon.display().to_string().replace('\\', "/")
        ),
        format!("TOTSUGO_VERSION=\"{version}\""),
        format!(
            "TOTSUGO_VERSION_NUM={},{},{},0",
            n("CARGO_PKG_VERSION_MAJOR"),
            n("CARGO_PKG_VERSION_MINOR"),
            n("CARGO_PKG_VERSION_PATCH")
        ),
    ];
    embed_resource::compile("assets/windows/totsugo.rc", &macros)
        .manifest_optional()
        .expect("the Windows resources compile");
}
