//! xietong (协同): the GraphQL API through which Tianjin's city, district and
//! bureau systems and their Beijing and Hebei partners read and update one
//! body of green low-carbon and carbon-peaking coordination data.
//!
//! # Layout
//! - [`cli`]: the command line, one module per command (`serve`, `migrate`,
//!   `seed`, `token`, `audit`, `generate`).
//! - [`startup`]: builds and runs the application; [`config`]: the server's
//!   settings; [`telemetry`]: logs; [`db`]: connection and migrations;
//!   [`failure`]: how a failed command is reported.
//! - [`http`]: routes (GraphQL, GraphiQL, health).
//! - [`graphql`]: schema, thin resolvers, DataLoaders and API types.
//! - [`service`]: domain rules, one module per aggregate; [`access`]: who may
//!   see what, in one place; [`auth`]: who is calling (tokens); [`error`]: the
//!   error codes.
//! - [`seed`]: the default dataset, parsed from the source documents.
//! - [`ids`]: opaque, stable global IDs.
//!
//! Each layer imports only those below it: [`cli`] → [`startup`] and
//! [`config`] → [`http`] → [`graphql`] → [`service`] → [`access`] and
//! [`auth`] → `entity`. Settings live with the layer that uses them, and
//! [`config`] composes them.

pub mod access;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod failure;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod seed;
pub mod service;
pub mod startup;
pub mod telemetry;
