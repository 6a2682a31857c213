//! The shape of the core, checked: no import circles between its modules, and no GUI
//! dependency. (That the app and the CLI reach the store only through the session is checked
//! by the compiler: the store's writing methods are `pub(crate)`, and `Session::store` exists
//! outside the core only with the tests' `inspect` feature, where `.clippy.toml` forbids it to
//! the app and the CLI.)

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of the core (`store` for `store.rs` and `store/…`) and the other
/// top-level modules its code names through `crate::` (comments and unit tests left out).
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        if top == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        let deps = graph.entry(top.clone()).or_default();
        for line in code.lines() {
            let line = line.split("//").next().unwrap();
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                let names: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    group
                        .split(['}', ','])
                        .map(|s| s.trim().split("::").next().unwrap())
                        .collect()
                } else {
                    vec![
                        rest.split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap(),
                    ]
                };
                for n in names {
                    if !n.is_empty() && n != top && n.chars().all(|c| c.is_lowercase() || c == '_')
                    {
                        deps.insert(n.to_string());
                    }
                }
            }
        }
    }
    graph
}

/// The modules that reach each other through their imports (strongly connected, more than
/// one module).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reach = |from: &str| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for d in graph.get(&m).into_iter().flatten() {
                if graph.contains_key(d) && seen.insert(d.clone()) {
                    todo.push(d.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for m in graph.keys() {
        let circle: BTreeSet<String> = reaches[m]
            .iter()
            .filter(|o| *o != m && reaches[*o].contains(m))
            .cloned()
            .chain([m.clone()])
            .collect();
        if circle.len() > 1 && !out.contains(&circle) {
            out.push(circle);
        }
    }
    out
}

#[test]
fn the_core_modules_import_each_other_without_circles() {
    let graph = module_graph();
    // The graph is read for real: the session names the store, the store does not name the
    // session.
    assert!(graph["session"].contains("store"));
    assert!(graph["store"].contains("record"));
    let found = circles(&graph);
    assert!(
        found.is_empty(),
        "import circles between the core's modules: {found:?}\n{graph:#?}"
    );
}

#[test]
fn the_circle_check_finds_a_circle() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.insert("a".into(), ["b".to_string()].into());
    g.insert("b".into(), ["c".to_string()].into());
    g.insert("c".into(), ["a".to_string()].into());
    g.insert("d".into(), ["a".to_string()].into());
    assert_eq!(
        circles(&g),
        vec![["a", "b", "c"].iter().map(|s| s.to_string()).collect()]
    );
}

#[test]
fn the_core_has_no_gui_dependency() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core/Cargo.toml"))
            .unwrap();
    for gui in ["egui", "eframe", "rfd", "winit", "wgpu"] {
        assert!(
            !manifest.lines().any(|l| l.trim_start().starts_with(gui)),
            "the core depends on {gui}"
        );
    }
}
