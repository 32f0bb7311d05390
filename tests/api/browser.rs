//! Headless Chromium for the browser tests: Debian's `chromium`, driven by
//! `chromedriver` through WebDriver (fantoccini), able to reach nothing but
//! this machine's loopback address.
//!
//! Contract: [`browser_installed`] is false (with a line on stderr) when the
//! packages are missing, and panics instead under CI (`CI` set); a
//! [`ChromeDriver`] kills its process group, browser included, when dropped.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long any one step may take (2 cores, a debug build, a cold browser).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(60);

/// Whether Chromium and chromedriver are there; under CI their absence is a failure.
pub fn browser_installed(test: &str) -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|path| !Path::new(path).exists()).collect();
    let what = format!(
        "chromium ({}; the Debian packages `chromium chromium-driver`: apt-get install -y chromium chromium-driver)",
        missing.join(" and ")
    );
    crate::helpers::needs_installed(missing.is_empty(), test, &what)
}

/// A chromedriver on a free local port, in its own process group; on drop the group (the
/// driver and any browser it started) is killed.
pub struct ChromeDriver {
    child: Child,
    port: u16,
}

impl ChromeDriver {
    pub fn start() -> Result<Self, String> {
        let port = free_port()?;
        let mut command = Command::new(CHROMEDRIVER);
        command.arg(format!("--port={port}")).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = Self { child, port };
        let started = Instant::now();
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            if started.elapsed() > STEP_TIMEOUT {
                return Err(format!("chromedriver did not listen on port {port}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// A headless Chromium session that can reach nothing but this machine's loopback address.
    pub async fn session(&self, profile: &Path) -> Result<Client, String> {
        // Proxied requests go to a port nobody listens on: they fail at once.
        let closed_port = free_port()?;
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-default-apps".to_owned(),
            "--disable-domain-reliability".to_owned(),
            "--no-first-run".to_owned(),
            "--no-default-browser-check".to_owned(),
            "--window-size=1400,900".to_owned(),
            format!("--user-data-dir={}", profile.display()),
            // No name resolves, except the loopback address the server listens on…
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost".to_owned(),
            // …and anything that would go through a proxy hits a closed port. Loopback is
            // (by Chromium's default) not proxied.
            format!("--proxy-server=http://127.0.0.1:{closed_port}"),
            "--proxy-bypass-list=127.0.0.1;localhost".to_owned(),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".to_owned(), json!({ "binary": CHROMIUM, "args": args }));
        let mut builder = ClientBuilder::rustls().map_err(|e| format!("cannot set up TLS for WebDriver: {e}"))?;
        builder.capabilities(capabilities);
        builder
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|e| format!("cannot start a Chromium session through chromedriver: {e}"))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let group = format!("-{}", self.child.id());
            let _ =
                Command::new("kill").args(["-KILL", "--", &group]).stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A local port that was free a moment ago.
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| format!("no free local port: {e}"))
}
