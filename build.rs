//! Build script of xietong.
//!
//! It prepares the assets of the offline GraphiQL page (`GET /graphiql`, see
//! `src/http/graphiql.rs`). Government networks are closed, so the page must not load anything
//! from outside, and third-party bundles must not be committed: they come from the npm registry
//! at build time, pinned by `web/graphiql/package-lock.json`.
//!
//! 1. `web/graphiql/package.json` and `package-lock.json` are copied to `$OUT_DIR/graphiql`, and
//!    `npm ci --no-audit --no-fund --ignore-scripts` runs there — only when the lock changed or
//!    `node_modules` is missing. `XIETONG_NPM` may name the npm executable.
//! 2. The UMD builds of React, ReactDOM and GraphiQL and GraphiQL's stylesheet are copied to
//!    `$OUT_DIR/graphiql-assets/`: source-map comments are removed (no requests for `.map`
//!    files), the stylesheet is checked to load nothing remote (its fonts are `data:` URIs), and
//!    GraphiQL's bundle is taught to put the page's CSP nonce on the `<style>` element it
//!    injects (see `NONCE_PATCH`).
//! 3. `web/graphiql/index.html` becomes `$OUT_DIR/graphiql-assets/index.html` with the example
//!    operations of `web/graphiql/examples/*.graphql` embedded and the asset URLs versioned.
//!    `{{CSP_NONCE}}` is left for the server to fill in per response.
//! 4. `XIETONG_GRAPHIQL_ASSET_VERSION` (a hash of the assets) is passed to the crate.
//!
//! Only `std` is used, so the build script needs no build-dependencies.

use std::env;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Assets served under `/graphiql/assets/`: (file name there, path inside `node_modules`).
const NPM_ASSETS: [(&str, &str); 4] = [
    ("react.production.min.js", "react/umd/react.production.min.js"),
    ("react-dom.production.min.js", "react-dom/umd/react-dom.production.min.js"),
    ("graphiql.min.js", "graphiql/graphiql.min.js"),
    ("graphiql.min.css", "graphiql/graphiql.min.css"),
];

/// webpack's nonce slot in GraphiQL's UMD bundle. `react-style-singleton` (used by GraphiQL's
/// dialogs) reads it for the `<style>` element it injects; unpatched it is always `undefined`,
/// which a strict `style-src` without `'unsafe-inline'` would block.
const NONCE_SLOT: &str = "__webpack_require__.nc = undefined;";
/// The replacement: take the nonce of the `<script>` element that loads the bundle.
const NONCE_PATCH: &str = "__webpack_require__.nc = (typeof document !== \"undefined\" && document.currentScript && document.currentScript.nonce) || undefined;";

fn main() {
    if let Err(message) = run() {
        panic!("\n\nxietong build script (GraphiQL assets): {message}\n\n");
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    let web = manifest_dir.join("web").join("graphiql");

    println!("cargo:rerun-if-changed=web/graphiql/package.json");
    println!("cargo:rerun-if-changed=web/graphiql/package-lock.json");
    println!("cargo:rerun-if-changed=web/graphiql");
    println!("cargo:rerun-if-env-changed=XIETONG_NPM");

    let npm_dir = out_dir.join("graphiql");
    npm_ci(&web, &npm_dir)?;

    let assets_dir = out_dir.join("graphiql-assets");
    fs::create_dir_all(&assets_dir).map_err(|e| io_error("create", &assets_dir, &e))?;
    let node_modules = npm_dir.join("node_modules");
    let mut hash = Fnv64::new();
    for (name, source) in NPM_ASSETS {
        let source = node_modules.join(source);
        let text = fs::read_to_string(&source).map_err(|e| io_error("read", &source, &e))?;
        let text = prepare_asset(name, &text)?;
        hash.write(name.as_bytes());
        hash.write(text.as_bytes());
        write_if_changed(&assets_dir.join(name), text.as_bytes())?;
    }
    let version = format!("{:016x}", hash.finish());

    let examples = examples_json(&web.join("examples"))?;
    let template_path = web.join("index.html");
    let template = fs::read_to_string(&template_path).map_err(|e| io_error("read", &template_path, &e))?;
    let page = template.replace("{{ASSET_VERSION}}", &version).replace("{{EXAMPLES_JSON}}", &examples);
    let leftover = page.replace("{{CSP_NONCE}}", "");
    if let Some(at) = leftover.find("{{") {
        let snippet: String = leftover[at..].chars().take(40).collect();
        return Err(format!("{} has an unknown placeholder near `{snippet}`", template_path.display()));
    }
    write_if_changed(&assets_dir.join("index.html"), page.as_bytes())?;

    println!("cargo:rustc-env=XIETONG_GRAPHIQL_ASSET_VERSION={version}");
    Ok(())
}

/// Installs the pinned packages into `npm_dir` unless the same lock is already installed there.
fn npm_ci(web: &Path, npm_dir: &Path) -> Result<(), String> {
    fs::create_dir_all(npm_dir).map_err(|e| io_error("create", npm_dir, &e))?;
    let mut fingerprint = Fnv64::new();
    for file in ["package.json", "package-lock.json"] {
        let source = web.join(file);
        let bytes = fs::read(&source).map_err(|e| io_error("read", &source, &e))?;
        fingerprint.write(&bytes);
        write_if_changed(&npm_dir.join(file), &bytes)?;
    }
    let fingerprint = format!("{:016x}", fingerprint.finish());
    let stamp = npm_dir.join(".xietong-npm-ci.stamp");
    let installed = fs::read_to_string(&stamp).unwrap_or_default();
    if installed == fingerprint && npm_dir.join("node_modules").is_dir() {
        return Ok(());
    }
    // A failed or interrupted install must not look finished next time.
    let _ = fs::remove_file(&stamp);

    let npm = env::var_os("XIETONG_NPM")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(if cfg!(windows) { "npm.cmd" } else { "npm" }));
    let output = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline"])
        .current_dir(npm_dir)
        .output()
        .map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                format!(
                    "npm was not found (tried `{}`). The GraphiQL page's scripts are installed \
                     from the npm registry at build time: install Node.js and npm: e.g. \
                     `apt-get install nodejs npm` on Debian/Ubuntu, or see https://nodejs.org/ — \
                     or set XIETONG_NPM to the path of an npm executable.",
                    npm.display()
                )
            } else {
                format!("could not run `{} ci`: {e}", npm.display())
            }
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{} ci` in {} failed ({}). Is the npm registry reachable (or its packages in the \
             npm cache)?\n--- npm stdout ---\n{}\n--- npm stderr ---\n{}",
            npm.display(),
            npm_dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    fs::write(&stamp, &fingerprint).map_err(|e| io_error("write", &stamp, &e))
}

/// Removes source-map comments, checks that stylesheets load nothing remote and patches the
/// nonce slot of GraphiQL's bundle.
fn prepare_asset(name: &str, text: &str) -> Result<String, String> {
    let mut text: String = text
        .lines()
        .filter(|line| {
            let line = line.trim_start();
            !(line.starts_with("//# sourceMappingURL=") || line.starts_with("/*# sourceMappingURL="))
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    if name == "graphiql.min.js" {
        if text.matches(NONCE_SLOT).count() != 1 {
            return Err(format!(
                "{name}: expected exactly one `{NONCE_SLOT}` to patch; did the graphiql version \
                 change? Review NONCE_PATCH in build.rs."
            ));
        }
        text = text.replacen(NONCE_SLOT, NONCE_PATCH, 1);
    }
    if name.ends_with(".css") {
        if text.contains("@import") {
            return Err(format!("{name} contains an @import; the page must load nothing else"));
        }
        for (at, _) in text.match_indices("url(") {
            let target = text[at + 4..].trim_start_matches(['"', '\'', ' ']);
            if !target.starts_with("data:") {
                let snippet: String = target.chars().take(60).collect();
                return Err(format!(
                    "{name} references `{snippet}`; only data: URLs are allowed (no request may \
                     leave the server, and only these files are served)"
                ));
            }
        }
    }
    Ok(text)
}

/// The example operations as a JSON array `[{"file", "query", "variables"}]`, in file name
/// order, safe to embed in a `<script type="application/json">` element. `NAME.graphql` may have
/// its variables in `NAME.variables.json` beside it.
fn examples_json(dir: &Path) -> Result<String, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| io_error("list", dir, &e))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "graphql"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no example operations (*.graphql) in {}", dir.display()));
    }
    let mut json = String::from("[");
    for (i, path) in files.iter().enumerate() {
        let query = fs::read_to_string(path).map_err(|e| io_error("read", path, &e))?;
        let file = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let variables_path = path.with_extension("variables.json");
        let variables = match fs::read_to_string(&variables_path) {
            Ok(text) => json_string(text.trim()),
            Err(e) if e.kind() == ErrorKind::NotFound => "null".to_owned(),
            Err(e) => return Err(io_error("read", &variables_path, &e)),
        };
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{{\"file\":{},\"query\":{},\"variables\":{}}}",
            json_string(&file),
            json_string(&query),
            variables
        ));
    }
    json.push(']');
    Ok(json)
}

/// A JSON string literal; `<`, `>` and `&` are escaped too, so the text cannot end the
/// surrounding `<script>` element.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    fs::write(path, bytes).map_err(|e| io_error("write", path, &e))
}

fn env_var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|e| format!("environment variable {name}: {e}"))
}

fn io_error(action: &str, path: &Path, error: &std::io::Error) -> String {
    format!("cannot {action} {}: {error}", path.display())
}

/// FNV-1a, 64 bit: a stable content hash for cache busting (not for security).
struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
