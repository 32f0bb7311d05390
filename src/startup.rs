//! Building and running the application.

use crate::auth::Authenticator;
use crate::config::{DatabaseSettings, ServeSettings};
use crate::graphql::{AppSchema, build_schema};
use crate::service::notify::{self, ChangeNotifier};
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
        let authenticator = Authenticator::from_settings(&settings.auth, &database.database_url)
            .context("configuring authentication")?;
        let db = db::connect(database).await.context("connecting to the database")?;
        db::migrate(&db).await.context("migrating the database")?;
        if !settings.no_seed && seed::load::is_empty(&db).await? {
            let report = seed::run(&db).await.context("loading the default dataset")?;
            tracing::info!(%report, "loaded the default dataset into an empty database");
        }
        let notifier = ChangeNotifier::default();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            notify::spawn_postgres_listener(database.database_url.clone(), notifier.clone());
        }
        let schema = build_schema(db.clone(), settings.limits.clone(), notifier);
        let listener = TcpListener::bind(&settings.bind).with_context(|| format!("binding {}", settings.bind))?;
        let port = listener.local_addr()?.port();
        let server = run(listener, schema, db.clone(), authenticator, settings.limits.max_body_bytes)?;
        Ok(Self { port, server, db })
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (gracefully or not) from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// The application's connection pool (tests inspect the store through it).
    pub fn db(&self) -> DatabaseConnection {
        self.db.clone()
    }

    /// Serves until SIGINT/SIGTERM, then finishes in-flight requests and returns.
    ///
    /// # Errors
    /// I/O errors of the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn run(
    listener: TcpListener,
    schema: AppSchema,
    db: DatabaseConnection,
    authenticator: Authenticator,
    max_body_bytes: usize,
) -> anyhow::Result<Server> {
    let schema = web::Data::new(schema);
    let db = web::Data::new(db);
    let authenticator = web::Data::new(authenticator);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(TracingLogger::default())
            .app_data(schema.clone())
            .app_data(db.clone())
            .app_data(authenticator.clone())
            .app_data(web::PayloadConfig::new(max_body_bytes))
            .app_data(web::JsonConfig::default().limit(max_body_bytes))
            .configure(http::configure)
    })
    .shutdown_timeout(30)
    .listen(listener)?
    .run();
    Ok(server)
}
