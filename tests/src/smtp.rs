//! A real SMTP server (mailin-embedded) on 127.0.0.1:0 inside the test process, keeping what
//! it receives so tests can read the messages that arrived.

use std::sync::{Arc, Condvar, Mutex};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};

/// A message as it arrived: its recipients and its raw text.
#[derive(Debug, Clone)]
pub struct Received {
    pub to: Vec<String>,
    pub text: String,
}

/// What the test asks of the server: refuse some messages, or hold new ones at the door.
#[derive(Default)]
struct Control {
    /// Messages still to refuse with a temporary error (451) when they ask to send their data.
    refuse: usize,
    /// Messages still to reject for good (550) when they ask to send their data.
    reject: usize,
    /// While true, a new message waits before its data is accepted.
    held: bool,
}

#[derive(Clone, Default)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    control: Arc<(Mutex<Control>, Condvar)>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        let (lock, opened) = &*self.control;
        if let Ok(mut control) = lock.lock() {
            while control.held {
                match opened.wait(control) {
                    Ok(c) => control = c,
                    Err(_) => return response::INTERNAL_ERROR,
                }
            }
            // Refused at DATA (mailin keeps a session refused after the data in a bad state).
            if control.refuse > 0 {
                control.refuse -= 1;
                return response::INTERNAL_ERROR;
            }
            if control.reject > 0 {
                control.reject -= 1;
                return response::NO_MAILBOX;
            }
        }
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            to: std::mem::take(&mut self.to),
            text: String::from_utf8_lossy(&self.data).into_owned(),
        };
        if let Ok(mut inbox) = self.inbox.lock() {
            inbox.push(message);
        }
        response::OK
    }
}

pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    control: Arc<(Mutex<Control>, Condvar)>,
}

impl SmtpServer {
    /// Starts the server on a thread of its own (it lives as long as the test process).
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let collector = Collector::default();
        let inbox = collector.inbox.clone();
        let control = collector.control.clone();
        let mut server = Server::new(collector);
        server
            .with_name("localhost")
            .with_num_threads(32)
            .with_ssl(SslConfig::None)
            .expect("no TLS")
            .with_tcp_listener(listener);
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        Self { port, inbox, control }
    }

    /// The URL to give `PUMPURS_SMTP_URL` (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Refuses the next `n` messages with a temporary error, as a busy server does.
    pub fn refuse_next(&self, n: usize) {
        if let Ok(mut control) = self.control.0.lock() {
            control.refuse = n;
        }
    }

    /// Rejects the next `n` messages for good (550 mailbox unavailable).
    pub fn reject_next(&self, n: usize) {
        if let Ok(mut control) = self.control.0.lock() {
            control.reject = n;
        }
    }

    /// Where the server listens.
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Holds every new message before its data (`true`) or lets them in again (`false`).
    pub fn hold(&self, held: bool) {
        if let Ok(mut control) = self.control.0.lock() {
            control.held = held;
        }
        self.control.1.notify_all();
    }

    pub fn count(&self) -> usize {
        self.inbox.lock().map(|m| m.len()).unwrap_or_default()
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().map(|m| m.clone()).unwrap_or_default()
    }
}
