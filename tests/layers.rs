//! DESIGN.md's layer table, checked: every `crate::<module>` a source file names (outside
//! comments) must be its own layer or one the table lets it use, and the simulator tree
//! names nothing of the provider's crate.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Layer -> the layers (and crate-root macros) it may name.
const ALLOWED: &[(&str, &[&str])] = &[
    ("plugin", &["plugin", "framework", "tfvalue"]),
    (
        "framework",
        &["framework", "tfvalue", "model", "attr", "attr_path"],
    ),
    ("tfvalue", &["tfvalue"]),
    (
        "provider",
        &["provider", "framework", "tfvalue", "panel", "backends"],
    ),
    (
        "resources",
        &[
            "resources",
            "framework",
            "tfvalue",
            "panel",
            "model",
            "attr",
            "attr_path",
        ],
    ),
    ("panel", &["panel"]),
    ("backends", &["backends", "panel"]),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The modules `crate::NAME` names in code (comments skipped).
fn named_modules(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in source.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let code = code.split(" //").next().unwrap_or(code);
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // `$crate::` in macros and `terraform_provider_panel::` are not `crate::`.
            let before = &rest[..at];
            if !name.is_empty() && !before.ends_with('$') && !before.ends_with('_') {
                names.insert(name);
            }
            rest = after;
        }
    }
    names
}

#[test]
fn each_layer_names_only_the_layers_design_md_allows() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    for (layer, allowed) in ALLOWED {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "no sources for layer {layer}");
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap_or_default();
            for name in named_modules(&source) {
                if !allowed.contains(&name.as_str()) {
                    problems.push(format!(
                        "{} (layer `{layer}`) names `crate::{name}`",
                        file.strip_prefix(&src).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layer violations:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_simulators_share_nothing_with_the_provider_crate() {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin/panel-sim");
    let mut files = Vec::new();
    rust_files(&sim, &mut files);
    assert!(!files.is_empty());
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap_or_default();
        assert!(
            !source.contains("terraform_provider_panel"),
            "{} uses the provider crate; the simulators must be written apart from the backends",
            file.display()
        );
    }
}

#[test]
fn the_checker_sees_a_violation() {
    let names = named_modules(
        "use crate::backends::http;\n// crate::plugin in a comment\nlet x = $crate::framework::x;",
    );
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["backends".to_owned()]
    );
}
