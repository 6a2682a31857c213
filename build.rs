//! Build script: on Windows targets, compiles the icon and version information
//! (`assets/windows/totsugo.rc`, a template filled in here) into both programs. Nothing
//! happens on other targets.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/windows/totsugo.rc");
    println!("cargo:rerun-if-changed=assets/icons/totsugo.ico");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    let env = |key: &str| std::env::var(key).unwrap_or_else(|_| panic!("{key} is set by cargo"));
    let root = std::path::PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let icon = root.join("assets/icons/totsugo.ico");
    // The values go into the file itself: string macros on the resource compiler's command
    // line lose their quotes on the way through windres' preprocessor.
    let rc = std::fs::read_to_string(root.join("assets/windows/totsugo.rc"))
        .expect("assets/windows/totsugo.rc")
        .replace("@ICON@", &icon.display().to_string().replace('\\', "/"))
        .replace("@VERSION@", &env("CARGO_PKG_VERSION"))
        .replace(
            "@VERSION_NUM@",
            &format!(
                "{},{},{},0",
                env("CARGO_PKG_VERSION_MAJOR"),
                env("CARGO_PKG_VERSION_MINOR"),
                env("CARGO_PKG_VERSION_PATCH")
            ),
        );
    let out = std::path::PathBuf::from(env("OUT_DIR")).join("totsugo.rc");
    std::fs::write(&out, rc).expect("the resource file is written");
    embed_resource::compile(&out, embed_resource::NONE)
        .manifest_optional()
        .expect("the Windows resources compile");
}
