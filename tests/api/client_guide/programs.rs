//! Running the guide's example programs — curl scripts, Node.js and Python
//! clients — against a test app: where the clients are installed, what a
//! missing one means (a failure under CI, a skip elsewhere), and child
//! processes waited for without blocking the runtime the server shares.

use crate::helpers::TestApp;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A liveness bound for one example run, not a latency measurement (2 shared cores).
const LIMIT: Duration = Duration::from_secs(120);

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// docs/clients: the files the guide quotes.
pub fn examples() -> PathBuf {
    root().join("docs/clients")
}

/// Whether `test` can run: a missing `what` fails it under CI and skips it
/// elsewhere, with a line on standard error (see [`crate::helpers::needs_installed`]).
pub fn available(test: &str, ok: bool, what: &str) -> bool {
    crate::helpers::needs_installed(ok, test, &format!("{what} (see the top of tests/api/client_guide.rs)"))
}

/// Whether `program arg` runs and succeeds, as `curl --version` does where curl is installed.
pub fn runs(program: &str, arg: &str) -> bool {
    Command::new(program).arg(arg).output().is_ok_and(|o| o.status.success())
}

/// The `node_modules` holding every one of `packages`, if any.
pub fn node_modules(packages: &[&str]) -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("XIETONG_CLIENT_MODULES").map(|dir| PathBuf::from(dir).join("node_modules")),
        Some(root().join("tests/clients/node_modules")),
    ];
    candidates.into_iter().flatten().find(|dir| packages.iter().all(|p| dir.join(p).is_dir()))
}

/// A Python that can import the `gql` client with its transports, if any.
pub fn python() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("XIETONG_CLIENT_PYTHON").map(PathBuf::from),
        Some(root().join("tests/clients/.venv/bin/python")),
        Some(PathBuf::from("python3")),
    ];
    candidates.into_iter().flatten().find(|python| {
        Command::new(python).args(["-c", "import gql, requests, websockets"]).output().is_ok_and(|o| o.status.success())
    })
}

/// A copy of the example directory `name` with `modules` linked in as its
/// `node_modules`, so the example runs as in a reader's own project.
pub fn node_project(name: &str, modules: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(examples().join(name)).expect("the example exists") {
        let path = entry.expect("a directory entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("a file name"))).expect("copy");
        }
    }
    std::os::unix::fs::symlink(modules, dir.path().join("node_modules")).expect("link node_modules");
    dir
}

/// `command` with the server's address and nothing of the caller's xietong settings.
pub fn example(program: impl AsRef<std::ffi::OsStr>, app: &TestApp) -> Command {
    let mut command = Command::new(program);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("XIETONG_") {
            command.env_remove(name);
        }
    }
    command.env("XIETONG_URL", &app.address);
    command
}

/// Reads all of `pipe` on a thread of its own.
pub fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes).ok();
        bytes
    })
}

/// Runs `command` to its end and asserts it succeeded; answers its standard output.
/// It may run as long as [`LIMIT`]: the server shares this test's runtime, so
/// the wait yields to it instead of blocking.
pub async fn run(mut command: Command) -> String {
    let what = format!("{command:?}");
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("{what} does not start: {e}"));
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the example") {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("{what} did not finish within {LIMIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let output = Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() };
    let (out, err) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{what} failed ({}):\n{out}\n{err}", output.status);
    out.into_owned()
}

/// Runs `command` and parses its standard output as one JSON value.
pub async fn run_json(command: Command) -> Value {
    let out = run(command).await;
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// A long-running example whose standard output is read line by line; killed when dropped.
pub struct Follower {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Follower {
    pub fn start(mut command: Command) -> Self {
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = command.spawn().expect("the example starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    /// The next line, parsed as JSON; fails the test after [`LIMIT`] or if the process ends first.
    pub async fn next(&mut self) -> Value {
        let deadline = Instant::now() + LIMIT;
        loop {
            match self.lines.try_recv() {
                Ok(line) => return serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")),
                Err(mpsc::TryRecvError::Disconnected) => panic!("the example ended: {:?}", self.child.try_wait()),
                Err(mpsc::TryRecvError::Empty) if Instant::now() > deadline => panic!("no line within {LIMIT:?}"),
                Err(mpsc::TryRecvError::Empty) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
