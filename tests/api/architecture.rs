//! The layers of ARCHITECTURE.md, checked: no module of `src/` names a
//! module of a higher layer (`crate::…` in code, comments aside).

use std::path::{Path, PathBuf};

/// The layer of each top-level module of `src/`, lowest first. A module may
/// use its own layer and those below it.
const LAYERS: &[(&str, u8)] = &[
    ("error", 0),
    ("ids", 0),
    ("db", 1),
    ("access", 2),
    ("auth", 2),
    ("service", 3),
    ("seed", 3),
    ("graphql", 4),
    ("http", 5),
    ("config", 6),
    ("startup", 6),
    ("telemetry", 6),
    ("failure", 6),
    ("cli", 7),
    ("main", 7),
    ("lib", 7),
];

fn layer_of(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == module).map(|(_, layer)| *layer)
}

/// The top-level module a file of `src/` belongs to (`src/http/graphql.rs` → `http`).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("a file under src");
    let first = relative.components().next().expect("a path").as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The modules `crate::…` names in the code of `text` (line comments skipped).
fn crate_references(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let after = &rest[at + "crate::".len()..];
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push((number + 1, name));
            }
            rest = after;
        }
        // `use crate::{a, b::{c, d}}` names several modules at once: those at the group's top level.
        if let Some(group) = code.split("crate::{").nth(1) {
            let (mut depth, mut at_start) = (1, true);
            let mut name = String::new();
            for c in group.chars() {
                if at_start && (c.is_alphanumeric() || c == '_') {
                    name.push(c);
                    continue;
                }
                if !name.is_empty() {
                    found.push((number + 1, std::mem::take(&mut name)));
                    at_start = false;
                }
                match c {
                    '{' => depth += 1,
                    '}' if depth == 1 => break,
                    '}' => depth -= 1,
                    ',' if depth == 1 => at_start = true,
                    _ => {}
                }
            }
            if !name.is_empty() {
                found.push((number + 1, name));
            }
        }
    }
    found
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let own = layer_of(&module).unwrap_or_else(|| panic!("{module} has no layer in LAYERS: add it"));
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (line, target) in crate_references(&text) {
            let Some(target_layer) = layer_of(&target) else { continue };
            if target_layer > own {
                let shown = file.strip_prefix(&src).unwrap_or(file).display().to_string();
                upward.push(format!("src/{shown}:{line}: {module} (layer {own}) uses {target} (layer {target_layer})"));
            }
        }
    }
    assert!(upward.is_empty(), "imports against the layers of ARCHITECTURE.md:\n{}", upward.join("\n"));
}

#[test]
fn the_scanner_sees_plain_and_grouped_imports_and_skips_comments() {
    let text = "use crate::http::x;\nuse crate::{graphql, service::{y, cli}};\n// crate::cli is only mentioned\n";
    let names: Vec<String> = crate_references(text).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["http", "graphql", "service"]);
}

/// async-graphql runs every installed extension around every field it
/// resolves (src/graphql/pipeline.rs says why that matters), so the served
/// schema installs none: the checks live in the request pipeline. The one
/// `.extension(` in `src/` is the pipeline's registry probe, a schema that
/// serves no request.
#[test]
fn the_served_schema_installs_no_async_graphql_extension() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut installs = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if code.contains(".extension(") {
                installs.push(format!("{}:{}", file.strip_prefix(&src).unwrap_or(file).display(), number + 1));
            }
        }
    }
    assert_eq!(installs.len(), 1, "extensions installed: {installs:?}");
    assert!(installs[0].starts_with("graphql/pipeline.rs:"), "extensions installed: {installs:?}");
}
