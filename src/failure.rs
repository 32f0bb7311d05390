//! How a failed command is told to the person who ran it.
//!
//! Contract: one line, `error: <what failed>: <why>: <root cause>`, each
//! cause said once. Drivers often repeat their source in their own message
//! (sea-orm's `Connection Error: …` wraps the sqlx error that is also its
//! `source()`); anyhow's default report would then print the same text
//! twice under "Caused by".

/// The error and its causes as one line, skipping any cause whose text the
/// previous part already contains.
pub fn one_line(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        let text = text.trim();
        if text.is_empty() || parts.last().is_some_and(|previous| previous.contains(text)) {
            continue;
        }
        parts.push(text.to_owned());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("Connection Error: {0}")]
    struct Wrapper(#[source] std::io::Error);

    #[test]
    fn each_cause_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
        let error = anyhow::Error::new(Wrapper(io)).context("connecting to the database");
        assert_eq!(one_line(&error), "connecting to the database: Connection Error: connection refused");
    }
}
