//! A webhook receiver for tests: an actix-web server on 127.0.0.1 and a
//! random port that records every message it accepts, and can be told to
//! fail (500) or to answer slowly.

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One accepted message.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Received {
    /// The parsed body.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// The change's sequence number.
    pub fn sequence(&self) -> i64 {
        self.json()["data"]["sequence"].as_i64().expect("data.sequence")
    }
}

#[derive(Default)]
struct State {
    accepted: Mutex<Vec<Received>>,
    failing: AtomicBool,
    refused: AtomicUsize,
    delay_ms: AtomicU64,
}

/// A running receiver.
pub struct Receiver {
    /// Its URL, `http://127.0.0.1:<port>/hook`.
    pub url: String,
    state: Arc<State>,
    server: actix_web::dev::ServerHandle,
}

async fn hook(request: HttpRequest, body: web::Bytes, state: web::Data<State>) -> HttpResponse {
    let delay = state.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if state.failing.load(Ordering::SeqCst) {
        state.refused.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::InternalServerError().body("down for maintenance");
    }
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = String::from_utf8(body.to_vec()).expect("a UTF-8 body");
    state.accepted.lock().unwrap().push(Received { headers, body });
    HttpResponse::NoContent().finish()
}

impl Receiver {
    /// Starts a receiver that accepts everything.
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let data = web::Data::from(state.clone());
        let server = HttpServer::new(move || App::new().app_data(data.clone()).route("/hook", web::post().to(hook)))
            .workers(2)
            .bind("127.0.0.1:0")
            .expect("bind a receiver");
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Self { url: format!("http://127.0.0.1:{port}/hook"), state, server: handle }
    }

    /// From now on answer 500 (true) or accept (false).
    pub fn fail(&self, failing: bool) {
        self.state.failing.store(failing, Ordering::SeqCst);
    }

    /// Waits this long before answering each message.
    pub fn delay(&self, delay: Duration) {
        self.state.delay_ms.store(u64::try_from(delay.as_millis()).unwrap(), Ordering::SeqCst);
    }

    /// Messages refused with 500 so far.
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }

    /// The messages accepted so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.state.accepted.lock().unwrap().clone()
    }

    /// Polls until `done` holds for the messages accepted (at most 30 s), then returns them.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        self.wait_within(what, Duration::from_secs(30), done).await
    }

    /// Like [`Receiver::wait_for`], for at most `limit`.
    pub async fn wait_within(&self, what: &str, limit: Duration, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            let sequences: Vec<i64> = received.iter().map(Received::sequence).collect();
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}; received {sequences:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until at least `n` messages were accepted.
    pub async fn wait_for_count(&self, n: usize) -> Vec<Received> {
        self.wait_for(&format!("{n} messages"), |r| r.len() >= n).await
    }

    /// Waits (at most `limit`) until at least `n` messages were accepted, without copying them each time.
    pub async fn wait_for_count_within(&self, n: usize, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.state.accepted.lock().unwrap().len() < n {
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {n} messages");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}
