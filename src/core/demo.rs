//! The bundled demo file: 2,000 synthetic rows (`totsugo-lab sample --rows 2000 --seed 86`,
//! CP932) that the app's first run and `totsugo demo` import to practise with.

/// The bundled demo file (`assets/demo/match-result-demo.csv`: 2,000 synthetic rows, CP932),
/// so that the app and the CLI can load it wherever they are installed.
pub const DEMO_FILE: &[u8] = include_bytes!("../../assets/demo/match-result-demo.csv");
/// The demo file's name.
pub const DEMO_FILE_NAME: &str = "match-result-demo.csv";

/// Writes the demo file into `dir` (created if needed) and returns its path, so that it is
/// imported like any file. The caller removes `dir` afterwards.
pub fn write_demo_file(dir: &std::path::Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(DEMO_FILE_NAME);
    std::fs::write(&path, DEMO_FILE)?;
    Ok(path)
}
