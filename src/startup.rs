//! Building and running the application.

use crate::auth::Authenticator;
use crate::config::ServeSettings;
use crate::db::DatabaseSettings;
use crate::graphql::{Pipeline, build_pipeline};
use crate::service::notify::{self, ChangeNotifier};
use crate::service::webhooks::delivery::Outbound;
use crate::service::webhooks::worker::Worker;
use crate::{db, http, seed};
use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use std::net::TcpListener;
use tracing_actix_web::TracingLogger;

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    db: DatabaseConnection,
    statements: db::StatementCounter,
    /// The webhook delivery worker, when webhooks are on; stopped after the server.
    webhooks: Option<Worker>,
}

impl Application {
    /// Builds the token verifier (loading or generating its keys), connects,
    /// migrates, seeds an empty store (unless disabled), builds the schema
    /// once and binds the listener. Port 0 picks a free port.
    ///
    /// # Errors
    /// When the authentication settings are invalid, the database cannot be
    /// reached or migrated, or the address cannot be bound.
    pub async fn build(database: &DatabaseSettings, settings: &ServeSettings) -> anyhow::Result<Self> {
        // Checked before any database work, and nothing is written before
        // the store is reachable: the secret file is created only after.
        let listener = bind(&settings.bind)?;
        let mut db = db::connect(database).await?;
        let authenticator = Authenticator::from_settings(&settings.auth, &database.database_url)
            .context("configuring authentication")?;
        let statements = db::StatementCounter::attach(&mut db);
        let mut writer = db::connect_writer(database, &db).await?;
        statements.attach_writer(&mut writer);
        db::migrate(writer.connection()).await.context("migrating the database")?;
        if !settings.no_seed && seed::load::is_empty(&db).await? {
            let report = seed::run(writer.connection()).await.context("loading the default dataset")?;
            tracing::info!(%report, "loaded the default dataset into an empty database");
        }
        let notifier = ChangeNotifier::default();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            let listening = notify::spawn_postgres_listener(database.database_url.clone(), notifier.clone());
            // Serving starts with other instances' changes heard (the store answered
            // the migrations, so this is quick); the listener keeps trying regardless.
            if tokio::time::timeout(std::time::Duration::from_secs(5), listening).await.is_err() {
                tracing::warn!("not yet listening for other instances' changes; serving anyway");
            }
        }
        let authenticator = authenticator.with_caller_cache(notifier.subscribe());
        let allowed = settings.limits.load_allowed_operations()?;
        let outbound = Outbound::new(settings.webhooks.clone()).context("configuring webhook delivery")?;
        let schema = build_pipeline(
            db.clone(),
            writer.clone(),
            settings.limits.clone(),
            notifier.clone(),
            allowed,
            outbound.clone(),
        )?;
        let port = listener.local_addr()?.port();
        let server = run(listener, schema, db.clone(), writer.clone(), authenticator, settings)?;
        // Started last, so that a failed build leaves no worker behind.
        let webhooks = Worker::start(db.clone(), &writer, &outbound, &notifier);
        Ok(Self { port, server, db, statements, webhooks })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (gracefully or not) from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Counts the SQL statements the application executes.
    pub fn statements(&self) -> db::StatementCounter {
        self.statements.clone()
    }

    /// The application's connection pool (tests inspect the store through it).
    pub fn db(&self) -> DatabaseConnection {
        self.db.clone()
    }

    /// Serves until SIGINT/SIGTERM (or [`Application::handle`] stops it),
    /// then finishes in-flight requests, stops webhook delivery after the
    /// POSTs in flight, and returns.
    ///
    /// # Errors
    /// I/O errors of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        if let Some(worker) = self.webhooks {
            worker.stop().await;
        }
        served
    }
}

/// Binds the listening socket, saying plainly when the address is invalid or taken.
fn bind(address: &str) -> anyhow::Result<TcpListener> {
    use std::net::ToSocketAddrs;
    let candidates: Vec<std::net::SocketAddr> = address
        .to_socket_addrs()
        .map_err(|_| {
            anyhow::anyhow!(
                "--bind `{address}` is not a host and port such as 127.0.0.1:8080, [::1]:8080 or localhost:8080"
            )
        })?
        .collect();
    TcpListener::bind(&candidates[..]).map_err(|error| match error.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!("cannot listen on {address}: the port is in use (choose another with --bind)")
        }
        std::io::ErrorKind::AddrNotAvailable => {
            anyhow::anyhow!("cannot listen on {address}: that address is not one of this machine's")
        }
        _ => anyhow::anyhow!("cannot listen on {address}: {error}"),
    })
}

fn run(
    listener: TcpListener,
    schema: Pipeline,
    db: DatabaseConnection,
    writer: db::Writer,
    authenticator: Authenticator,
    settings: &ServeSettings,
) -> anyhow::Result<Server> {
    let limits = &settings.limits;
    let cors_origins = settings.cors_origins.clone();
    let max_body_bytes = limits.max_body_bytes;
    // Operations (src/http/metrics.rs, src/http/rate_limit.rs): one registry and one limiter per application.
    let metrics = web::Data::new(http::metrics::Metrics::new().context("registering metrics")?);
    let rate_limiter = http::rate_limit::RateLimiter::new(&settings.rate_limit);
    rate_limiter.start_housekeeping();
    let rate_limiter = web::Data::new(rate_limiter);
    let limits = web::Data::new(limits.clone());
    let subscription_settings = web::Data::new(settings.subscriptions.clone());
    let schema = web::Data::new(schema);
    let db = web::Data::new(db);
    let writer = web::Data::new(writer);
    let authenticator = web::Data::new(authenticator);
    let server = HttpServer::new(move || {
        // CORS (src/http/cors.rs): off unless --cors-origins names origins.
        let cors = http::cors::middleware(&cors_origins);
        App::new()
            .wrap(actix_web::middleware::Condition::new(cors.is_some(), cors.unwrap_or_default()))
            .wrap(actix_web::middleware::from_fn(http::cors::only_for_allowed_origins))
            .wrap(TracingLogger::default())
            .wrap(actix_web::middleware::from_fn(http::metrics::track_http))
            .app_data(metrics.clone())
            .app_data(rate_limiter.clone())
            .app_data(schema.clone())
            .app_data(db.clone())
            .app_data(writer.clone())
            .app_data(authenticator.clone())
            .app_data(limits.clone())
            .app_data(subscription_settings.clone())
            .app_data(web::PayloadConfig::new(max_body_bytes))
            .app_data(web::JsonConfig::default().limit(max_body_bytes))
            .configure(http::configure)
    })
    .shutdown_timeout(30)
    // Fault hardening (tests/api/faults.rs): SIGINT drains like SIGTERM.
    .shutdown_signal(shutdown_signal())
    .listen(listener)?
    .run();
    Ok(server)
}

/// Resolves on the first SIGTERM or SIGINT (Ctrl-C elsewhere). Both start a
/// graceful shutdown that finishes in-flight requests: actix-web's own
/// handlers would abort them on SIGINT.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(mut term), Ok(mut int)) => {
                let name = tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                };
                tracing::info!(signal = name, "shutting down: finishing in-flight requests");
            }
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(%error, "cannot listen for shutdown signals");
                std::future::pending::<()>().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("shutting down: finishing in-flight requests");
        } else {
            std::future::pending::<()>().await;
        }
    }
}
