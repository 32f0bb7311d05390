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
//! - [`generate`]: a large synthetic dataset for benchmarks.

pub mod audit;
pub mod generate;
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
        assert_eq!((args.role, args.ttl), (Role::Bureau, Duration::from_secs(1800)));
        assert_eq!(args.auth.jwt_secret_file, Some("/tmp/s".into()));
        assert_eq!(args.auth.jwt_issuer, "xietong");
        assert!(Cli::try_parse_from(["xietong", "token", "issue", "--dept", "x", "--role", "ROOT"]).is_err());

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
}
