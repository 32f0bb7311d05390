//! Structured logging.

use clap::ValueEnum;
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Log output format (`--log-format`): people read the console, collectors parse lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    // No doc comments on the variants: clap would print them in `--help`.
    Pretty,
    Json,
}

/// Installs the global tracing subscriber. `RUST_LOG` overrides the default
/// level (`info`, with SQL statements at `warn`). Call once, from `main`.
///
/// Logs go to standard error in both formats, so what a command prints on
/// standard output (a token, a report) stays clean to capture.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match format {
        LogFormat::Json => {
            registry.with(fmt::layer().json().with_current_span(true).with_writer(std::io::stderr)).try_init()
        }
        LogFormat::Pretty => registry.with(fmt::layer().with_writer(std::io::stderr)).try_init(),
    };
    // A second call (e.g. in tests) keeps the first subscriber.
    drop(result);
}
