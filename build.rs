//! Build script of xietong.
//!
//! It prepares the assets of the offline pages — GraphiQL (`GET /graphiql`, see
//! `src/http/graphiql.rs`), the dashboard and the reporting page. Government networks are closed, so the pages must not load anything
//! from outside, and third-party bundles must not be committed: they come from the npm registry
//! at build time, pinned by `web/graphiql/package-lock.json`.
//!
//! Everything else in xietong builds without npm: when the scripts cannot be installed, the
//! build goes on with a `cargo:warning`, and `/graphiql` answers with a message saying so and
//! naming the command that builds them (cfg `xietong_graphiql_missing`, with the reason in
//! `XIETONG_GRAPHIQL_MISSING`). `XIETONG_GRAPHIQL` chooses:
//! - unset or `auto`: install the scripts when npm can; otherwise leave the page out, with a warning;
//! - `require` (CI): a failed install fails the build, with npm's output;
//! - `skip`: do not run npm at all; the page is left out.
//!
//! 1. `web/graphiql/package.json` and `package-lock.json` are copied to `$OUT_DIR/graphiql`, and
//!    `npm ci --no-audit --no-fund --ignore-scripts` runs there — only when the lock changed or
//!    `node_modules` is missing. `XIETONG_NPM` may name the npm executable. An unreachable
//!    registry fails the install within seconds (refused, no such host) or about half a minute
//!    (no answer): see [`NPM_SETTINGS`] and [`registry_unreachable`]; [`NPM_TIME_LIMIT`] bounds it
//!    in any case.
//! 2. The UMD builds of React, ReactDOM and GraphiQL and GraphiQL's stylesheet are copied to
//!    `$OUT_DIR/graphiql-assets/`: source-map comments are removed (no requests for `.map`
//!    files), the stylesheet is checked to load nothing remote (its fonts are `data:` URIs), and
//!    GraphiQL's bundle is taught to put the page's CSP nonce on the `<style>` element it
//!    injects (see `NONCE_PATCH`).
//! 3. `web/graphiql/index.html` becomes `$OUT_DIR/graphiql-assets/index.html` with the example
//!    operations of `web/graphiql/examples/*.graphql` embedded and the asset URLs versioned.
//!    `{{CSP_NONCE}}` is left for the server to fill in per response. The page and the examples
//!    are ours: they are checked in every build, with or without the scripts.
//! 4. `XIETONG_GRAPHIQL_ASSET_VERSION` (a hash of the assets) is passed to the crate.
//! 5. The same for the supervision dashboard and the reporting page (`/dashboard`, `/report`, see
//!    `src/http/dashboard.rs`): `web/dashboard/` holds the pages and our own scripts, and its
//!    `package-lock.json` pins Apache ECharts and graphql-ws (see [`dashboard`]).
//!
//! Cargo runs this script again when `web/graphiql` changes. While the scripts are missing it
//! also runs again when `XIETONG_GRAPHIQL` or `XIETONG_NPM` changes, so that
//! `XIETONG_GRAPHIQL=require cargo build` retries the install; once they are installed, those
//! variables no longer matter and changing them rebuilds nothing.
//!
//! Only `std` is used, so the build script needs no build-dependencies.

use std::env;
use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// `npm ci`'s arguments. Packages already in npm's cache are taken from it without asking the
/// registry; `--loglevel=http` logs each request, which [`registry_unreachable`] reads.
const NPM_CI_ARGS: [&str; 7] = [
    "ci",
    "--no-audit",
    "--no-fund",
    "--ignore-scripts",
    "--prefer-offline",
    "--update-notifier=false",
    "--loglevel=http",
];

/// npm settings given to `npm ci` unless the environment sets them (`npm_config_…`). npm's
/// defaults wait for an unreachable registry for many minutes (5 minutes per request, retried
/// twice 10–60 s apart); here 30 s per request (each is one package of at most a few MB) and
/// one retry after 2–10 s.
const NPM_SETTINGS: [(&str, &str); 4] = [
    ("npm_config_fetch_timeout", "30000"),
    ("npm_config_fetch_retries", "1"),
    ("npm_config_fetch_retry_mintimeout", "2000"),
    ("npm_config_fetch_retry_maxtimeout", "10000"),
];

/// npm is stopped when this many requests failed and none was answered: the registry is
/// unreachable (npm itself would go on through all of its ~100 requests, 15 at a time).
const UNREACHABLE_AFTER_FAILURES: usize = 5;

/// `npm ci` is stopped after this long, whatever it is waiting for.
const NPM_TIME_LIMIT: Duration = Duration::from_secs(300);

/// The command that builds the page, named in warnings and errors (and by the server).
const BUILD_HINT: &str = "install Node.js and npm (or set XIETONG_NPM to an npm executable), make the npm registry \
                          reachable, and rebuild with `XIETONG_GRAPHIQL=require cargo build --release`";

/// What to do about the third-party scripts: `XIETONG_GRAPHIQL`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Auto,
    Require,
    Skip,
}

/// Why the scripts are not there: one line for the warning and the server's message, and where
/// npm's output is when npm ran.
struct Missing {
    reason: String,
    log: Option<PathBuf>,
}

fn main() {
    if let Err(message) = graphiql() {
        panic!("\n\nxietong build script (GraphiQL assets): {message}\n\n");
    }
    if let Err(message) = dashboard() {
        panic!("\n\nxietong build script (dashboard assets): {message}\n\n");
    }
}

/// GraphiQL's page and scripts (steps 1–4 of the module's description).
fn graphiql() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    let web = manifest_dir.join("web").join("graphiql");

    println!("cargo::rustc-check-cfg=cfg(xietong_graphiql_missing)");
    println!("cargo::rerun-if-changed=web/graphiql");

    // Our own page and examples are checked in every build.
    let examples = examples_json(&web.join("examples"))?;
    let template_path = web.join("index.html");
    let template = fs::read_to_string(&template_path).map_err(|e| io_error("read", &template_path, &e))?;
    let leftover =
        template.replace("{{ASSET_VERSION}}", "").replace("{{EXAMPLES_JSON}}", "").replace("{{CSP_NONCE}}", "");
    if let Some(at) = leftover.find("{{") {
        let snippet: String = leftover[at..].chars().take(40).collect();
        return Err(format!("{} has an unknown placeholder near `{snippet}`", template_path.display()));
    }

    let mode = mode()?;
    let npm_dir = out_dir.join("graphiql");
    let installed = match mode {
        Mode::Skip => {
            Err(Missing { reason: "XIETONG_GRAPHIQL=skip was set, so npm was not run".to_owned(), log: None })
        }
        Mode::Auto | Mode::Require => npm_ci(&web, &npm_dir),
    };
    if let Err(missing) = installed {
        if mode == Mode::Require {
            let output = missing.log.as_deref().map(npm_log).unwrap_or_default();
            return Err(format!(
                "GraphiQL's scripts could not be installed, and XIETONG_GRAPHIQL=require: {}.{output}",
                missing.reason
            ));
        }
        println!("cargo::rerun-if-env-changed=XIETONG_GRAPHIQL");
        println!("cargo::rerun-if-env-changed=XIETONG_NPM");
        println!(
            "cargo::warning=GraphiQL's scripts are missing: {}. xietong builds and runs without them; /graphiql \
             answers 503 with a message instead of the page",
            missing.reason
        );
        if let Some(log) = &missing.log {
            println!("cargo::warning=npm's output: {}", log.display());
        }
        println!("cargo::warning=to build the page: {BUILD_HINT}");
        println!("cargo::rustc-cfg=xietong_graphiql_missing");
        println!("cargo::rustc-env=XIETONG_GRAPHIQL_MISSING={}", one_line(&missing.reason));
        return Ok(());
    }

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
    let page = template.replace("{{ASSET_VERSION}}", &version).replace("{{EXAMPLES_JSON}}", &examples);
    write_if_changed(&assets_dir.join("index.html"), page.as_bytes())?;

    println!("cargo::rustc-env=XIETONG_GRAPHIQL_ASSET_VERSION={version}");
    Ok(())
}

/// Third-party scripts of `/dashboard` and `/report` (served under `/dashboard/assets/`):
/// (file name there, path inside `node_modules`).
const DASHBOARD_NPM_ASSETS: [(&str, &str); 2] =
    [("echarts.min.js", "echarts/dist/echarts.min.js"), ("graphql-ws.min.js", "graphql-ws/umd/graphql-ws.min.js")];

/// Our own scripts and stylesheet of the pages, in `web/dashboard/`, served as they are.
const DASHBOARD_OWN_ASSETS: [&str; 4] = ["app.css", "common.js", "dashboard.js", "report.js"];

/// The pages, in `web/dashboard/`; `{{ASSET_VERSION}}` is filled in here.
const DASHBOARD_PAGES: [&str; 2] = ["dashboard.html", "report.html"];

/// The supervision dashboard and the bureaus' reporting page (step 5 of the module's
/// description): our own files are checked and copied in every build; Apache ECharts and
/// graphql-ws come from the npm registry, pinned by `web/dashboard/package-lock.json`, under the
/// same `XIETONG_GRAPHIQL` rule as GraphiQL's scripts. Without them the build goes on (unless
/// `require`) with the cfg `xietong_dashboard_missing` and the reason in
/// `XIETONG_DASHBOARD_MISSING`; `XIETONG_DASHBOARD_ASSET_VERSION` versions the asset URLs.
fn dashboard() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    let web = manifest_dir.join("web").join("dashboard");
    println!("cargo::rustc-check-cfg=cfg(xietong_dashboard_missing)");
    println!("cargo::rerun-if-changed=web/dashboard");

    let assets_dir = out_dir.join("dashboard-assets");
    fs::create_dir_all(&assets_dir).map_err(|e| io_error("create", &assets_dir, &e))?;
    let mut hash = Fnv64::new();
    for name in DASHBOARD_OWN_ASSETS {
        let source = web.join(name);
        let text = fs::read_to_string(&source).map_err(|e| io_error("read", &source, &e))?;
        hash.write(name.as_bytes());
        hash.write(text.as_bytes());
        write_if_changed(&assets_dir.join(name), text.as_bytes())?;
    }

    let mode = mode()?;
    let installed = match mode {
        Mode::Skip => {
            Err(Missing { reason: "XIETONG_GRAPHIQL=skip was set, so npm was not run".to_owned(), log: None })
        }
        Mode::Auto | Mode::Require => npm_ci(&web, &out_dir.join("dashboard")),
    };
    match installed {
        Err(missing) if mode == Mode::Require => {
            let output = missing.log.as_deref().map(npm_log).unwrap_or_default();
            return Err(format!(
                "the dashboard's scripts could not be installed, and XIETONG_GRAPHIQL=require: {}.{output}",
                missing.reason
            ));
        }
        Err(missing) => {
            println!("cargo::rerun-if-env-changed=XIETONG_GRAPHIQL");
            println!("cargo::rerun-if-env-changed=XIETONG_NPM");
            println!(
                "cargo::warning=the dashboard's scripts are missing: {}. /dashboard and /report answer 503 with a \
                 message instead of the pages",
                missing.reason
            );
            println!("cargo::rustc-cfg=xietong_dashboard_missing");
            println!("cargo::rustc-env=XIETONG_DASHBOARD_MISSING={}", one_line(&missing.reason));
        }
        Ok(()) => {
            let node_modules = out_dir.join("dashboard").join("node_modules");
            for (name, source) in DASHBOARD_NPM_ASSETS {
                let source = node_modules.join(source);
                let text = fs::read_to_string(&source).map_err(|e| io_error("read", &source, &e))?;
                let text = prepare_asset(name, &text)?;
                hash.write(name.as_bytes());
                hash.write(text.as_bytes());
                write_if_changed(&assets_dir.join(name), text.as_bytes())?;
            }
        }
    }

    let version = format!("{:016x}", hash.finish());
    for name in DASHBOARD_PAGES {
        let path = web.join(name);
        let template = fs::read_to_string(&path).map_err(|e| io_error("read", &path, &e))?;
        let page = template.replace("{{ASSET_VERSION}}", &version);
        if let Some(at) = page.find("{{") {
            let snippet: String = page[at..].chars().take(40).collect();
            return Err(format!("{} has an unknown placeholder near `{snippet}`", path.display()));
        }
        write_if_changed(&assets_dir.join(name), page.as_bytes())?;
    }
    println!("cargo::rustc-env=XIETONG_DASHBOARD_ASSET_VERSION={version}");
    Ok(())
}

/// `XIETONG_GRAPHIQL`: unset, empty or `auto`; `require`; `skip`.
fn mode() -> Result<Mode, String> {
    match env::var("XIETONG_GRAPHIQL") {
        Err(env::VarError::NotPresent) => Ok(Mode::Auto),
        Ok(value) => match value.trim() {
            "" | "auto" => Ok(Mode::Auto),
            "require" => Ok(Mode::Require),
            "skip" => Ok(Mode::Skip),
            other => Err(format!("XIETONG_GRAPHIQL is `{other}`; use `auto` (the default), `require` or `skip`")),
        },
        Err(e) => Err(format!("XIETONG_GRAPHIQL: {e}")),
    }
}

/// Installs the pinned packages into `npm_dir` unless the same lock is already installed there.
fn npm_ci(web: &Path, npm_dir: &Path) -> Result<(), Missing> {
    let failed = |reason: String| Missing { reason, log: None };
    fs::create_dir_all(npm_dir).map_err(|e| failed(io_error("create", npm_dir, &e)))?;
    let mut fingerprint = Fnv64::new();
    for file in ["package.json", "package-lock.json"] {
        let source = web.join(file);
        let bytes = fs::read(&source).map_err(|e| failed(io_error("read", &source, &e)))?;
        fingerprint.write(&bytes);
        write_if_changed(&npm_dir.join(file), &bytes).map_err(failed)?;
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
    let log_path = npm_dir.join("npm-ci.log");
    let log = File::create(&log_path).map_err(|e| failed(io_error("create", &log_path, &e)))?;
    let log_err = log.try_clone().map_err(|e| failed(io_error("open", &log_path, &e)))?;
    let mut command = Command::new(&npm);
    command.args(NPM_CI_ARGS).current_dir(npm_dir).stdin(Stdio::null()).stdout(log).stderr(log_err);
    for (name, value) in NPM_SETTINGS {
        if env::var_os(name).is_none() && env::var_os(name.to_uppercase()).is_none() {
            command.env(name, value);
        }
    }
    let spawned = command.spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(failed(format!("npm was not found (tried `{}`)", npm.display())));
        }
        Err(e) => return Err(failed(format!("could not run `{} ci`: {e}", npm.display()))),
    };
    let started = Instant::now();
    let mut polls: u32 = 0;
    let status = loop {
        let stop = match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= NPM_TIME_LIMIT => {
                Some(format!("`npm ci` did not finish within {} s and was stopped", NPM_TIME_LIMIT.as_secs()))
            }
            // About once a second, look for an unreachable registry in what npm logged so far.
            Ok(None) if polls % 10 == 9 => registry_unreachable(&fs::read_to_string(&log_path).unwrap_or_default()),
            Ok(None) => None,
            Err(e) => return Err(failed(format!("waiting for `{} ci`: {e}", npm.display()))),
        };
        if let Some(reason) = stop {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Missing { reason, log: Some(log_path) });
        }
        polls += 1;
        std::thread::sleep(Duration::from_millis(100));
    };
    if !status.success() {
        let output = fs::read_to_string(&log_path).unwrap_or_default();
        return Err(Missing {
            reason: format!("`npm ci` failed: {}", npm_error(&output).unwrap_or_else(|| status.to_string())),
            log: Some(log_path),
        });
    }
    fs::write(&stamp, &fingerprint).map_err(|e| failed(io_error("write", &stamp, &e)))
}

/// Why npm was stopped early, when its log (at loglevel http) shows
/// [`UNREACHABLE_AFTER_FAILURES`] failed requests and not one answered.
fn registry_unreachable(log: &str) -> Option<String> {
    let mut failures = Vec::new();
    for line in log.lines() {
        let Some(request) = line.strip_prefix("npm http fetch ") else { continue };
        if !request.contains(" failed with ") {
            return None;
        }
        failures.push(request);
    }
    let first = failures.first().filter(|_| failures.len() >= UNREACHABLE_AFTER_FAILURES)?;
    Some(format!(
        "the npm registry is unreachable ({} requests failed and none was answered, e.g. {first}); npm was stopped",
        failures.len()
    ))
}

/// npm's output, for an error message: where it is and its last lines.
fn npm_log(path: &Path) -> String {
    let output = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = output.lines().collect();
    let tail = lines[lines.len().saturating_sub(40)..].join("\n");
    format!("\nnpm's output ({}), last lines:\n{tail}", path.display())
}

/// The gist of npm's error output: its first `npm error` line that says what happened
/// (for a network failure, the request and the reason), with the error code.
fn npm_error(output: &str) -> Option<String> {
    let errors: Vec<&str> = output
        .lines()
        .filter_map(|line| line.strip_prefix("npm error ").or_else(|| line.strip_prefix("npm ERR! ")))
        .map(str::trim)
        .collect();
    let code = errors.iter().find_map(|line| line.strip_prefix("code "));
    let what = errors.iter().find(|line| {
        !["code ", "syscall ", "errno ", "path ", "A complete log", "Log files"].iter().any(|p| line.starts_with(p))
            && !line.is_empty()
    });
    match (code, what) {
        (Some(code), Some(what)) => Some(format!("{code}: {what}")),
        (None, Some(what)) => Some((*what).to_owned()),
        (Some(code), None) => Some(code.to_owned()),
        (None, None) => None,
    }
}

/// `text` on one line of printable characters, for `cargo::rustc-env`.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
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
