//! The command line: what `xietong` parses ([`Cli`]) and one module per command.
//!
//! `main` parses a [`Cli`] and hands its [`Command`] to the module of the same
//! name; each module's `run` does the work, prints the command's output on
//! standard output and returns the exit status (logs go to standard error).
//!
//! - [`serve`]: the HTTP server (also what runs without a command).
//! - [`migrate`]: applies pending migrations.
//! - [`seed`]: imports the default dataset.
//! - [`token`]: `token issue`, a token the local server accepts.
//! - [`audit`]: `audit verify`, the audit trail's hash chain.
//! - [`import`]: `import actuals`, `import tasks`: spreadsheet imports.
//! - [`generate`]: a large synthetic dataset for benchmarks.

pub mod audit;
pub mod generate;
pub mod import;
pub mod migrate;
pub mod seed;
pub mod serve;
pub mod token;

use crate::config::ServeSettings;
use crate::db::DatabaseSettings;
use crate::telemetry::LogFormat;
use clap::{Parser, Subcommand};

/// xietong (协同): the GraphQL API for Jing-Jin-Ji green low-carbon coordination data.
#[derive(Debug, Parser)]
#[command(name = "xietong", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseSettings,

    /// Settings of `serve`, also accepted without the subcommand.
    #[command(flatten)]
    pub serve: ServeSettings,

    /// Log format: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "XIETONG_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    /// Command to run; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `xietong` should do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates, and seeds an empty database, first).
    Serve(ServeSettings),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import the default dataset — the five source documents built into this binary (idempotent: same IDs
    /// every time).
    Seed,
    /// Access tokens.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Spreadsheet imports (as `POST /import/…`), under the rights of a department and role.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Write a large synthetic dataset (for benchmarks) under Tianjin's districts; no audit entries.
    Generate(generate::GenerateArgs),
}

impl Cli {
    /// The command to run, with the database settings every command shares: the command named, else
    /// `serve` with the settings given without it.
    pub fn into_command(self) -> (DatabaseSettings, Command) {
        (self.database, self.command.unwrap_or(Command::Serve(self.serve)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Role;
    use clap::CommandFactory;
    use std::collections::BTreeMap;
    use std::time::Duration;
    use token::TokenCommand;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn token_issue_parses() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from([
            "xietong",
            "token",
            "issue",
            "--dept",
            "静海区发展改革委",
            "--role",
            "bureau",
            "--ttl",
            "30m",
            "--jwt-secret-file",
            "/tmp/s",
        ])?;
        let Some(Command::Token(TokenCommand::Issue(args))) = cli.command else {
            panic!("expected `token issue`, got {:?}", cli.command);
        };
        assert_eq!((args.role, args.ttl), (Role::Bureau, Some(Duration::from_secs(1800))));
        assert_eq!(args.link, None);
        assert_eq!(args.auth.jwt_secret_file, Some("/tmp/s".into()));
        assert_eq!(args.auth.jwt_issuer, "xietong");
        assert!(Cli::try_parse_from(["xietong", "token", "issue", "--dept", "x", "--role", "ROOT"]).is_err());

        let cli = Cli::try_parse_from(["xietong", "token", "issue", "--dept", "x", "--role", "bureau", "--link"])?;
        let Some(Command::Token(TokenCommand::Issue(args))) = cli.command else {
            panic!("expected `token issue`, got {:?}", cli.command);
        };
        assert_eq!((args.link, args.ttl), (Some(crate::cli::token::SignInPage::Report), None));

        let cli = Cli::try_parse_from(["xietong", "--jwt-issuer", "tj", "--jwt-public-keys", "a=a.pem"])?;
        assert_eq!(cli.serve.auth.jwt_issuer, "tj");
        assert_eq!(cli.serve.auth.jwt_public_keys.len(), 1);
        Ok(())
    }

    #[test]
    fn cors_origins_are_a_comma_separated_list_of_origins() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from(["xietong", "--cors-origins", "https://a.example.cn/,http://127.0.0.1:3000"])?;
        assert_eq!(cli.serve.cors_origins, ["https://a.example.cn", "http://127.0.0.1:3000"]);
        assert!(Cli::try_parse_from(["xietong"])?.serve.cors_origins.is_empty());
        for bad in ["*", "a.example.cn", "ftp://a.example.cn", "https://a.example.cn/app", "https://", "https://a b"] {
            assert!(Cli::try_parse_from(["xietong", "--cors-origins", bad]).is_err(), "{bad} was accepted");
        }
        Ok(())
    }

    #[test]
    fn no_command_is_serve_with_the_settings_given_without_it() -> Result<(), clap::Error> {
        let (database, command) =
            Cli::try_parse_from(["xietong", "--bind", "127.0.0.1:0", "--no-seed"])?.into_command();
        assert_eq!(database.db_max_connections, 10);
        let Command::Serve(settings) = command else { panic!("expected `serve`, got {command:?}") };
        assert_eq!((settings.bind.as_str(), settings.no_seed), ("127.0.0.1:0", true));
        Ok(())
    }

    /// One row of the README's configuration table: its flags, their
    /// environment variables and the default as written.
    #[derive(Debug)]
    struct DocumentedFlag {
        env: String,
        default: String,
    }

    /// The rows of the table under `## Configuration`, by flag (a row naming two flags gives two entries).
    fn readme_configuration_table() -> BTreeMap<String, DocumentedFlag> {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
        let section = readme.split("\n## Configuration\n").nth(1).expect("a `## Configuration` section");
        let section = section.split("\n## ").next().unwrap_or(section);
        let codes = |cell: &str| -> Vec<String> {
            cell.split(',').map(|part| part.trim().trim_matches('`').to_owned()).filter(|s| !s.is_empty()).collect()
        };
        let mut table = BTreeMap::new();
        for line in section.lines().filter(|line| line.starts_with("| `--")) {
            let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
            assert!(cells.len() >= 4, "README configuration row without four cells: {line}");
            let (flags, envs) = (codes(cells[0]), codes(cells[1]));
            assert_eq!(flags.len(), envs.len(), "each flag of the row needs its variable: {line}");
            for (flag, env) in flags.into_iter().zip(envs) {
                let documented = DocumentedFlag { env, default: cells[2].to_owned() };
                assert!(table.insert(flag.clone(), documented).is_none(), "{flag} is documented twice");
            }
        }
        table
    }

    #[test]
    fn the_readme_configuration_table_is_what_the_help_says() {
        let documented = readme_configuration_table();
        let command = Cli::command();
        let mut seen = Vec::new();
        for arg in command.get_arguments().filter(|arg| !arg.is_hide_set()) {
            let Some(long) = arg.get_long() else { continue };
            let flag = format!("--{long}");
            if ["--help", "--version"].contains(&flag.as_str()) {
                continue;
            }
            let row = documented.get(&flag).unwrap_or_else(|| panic!("README's configuration table lacks {flag}"));
            let env = arg.get_env().map(|env| env.to_string_lossy().into_owned()).unwrap_or_default();
            assert_eq!(row.env, env, "README: environment variable of {flag}");
            let defaults: Vec<String> =
                arg.get_default_values().iter().map(|value| value.to_string_lossy().into_owned()).collect();
            if defaults.is_empty() {
                assert!(
                    row.default.starts_with('—') || row.default.contains(' '),
                    "README: {flag} has no default, so its default cell should be `—` or explain, not {}",
                    row.default
                );
            } else {
                assert_eq!(row.default.trim_matches('`'), defaults.join(","), "README: default of {flag}");
            }
            seen.push(flag);
        }
        let stale: Vec<&String> = documented.keys().filter(|flag| !seen.contains(flag)).collect();
        assert!(stale.is_empty(), "README documents flags `xietong --help` does not have: {stale:?}");
    }
}
