//! A gate in front of a server on loopback: a TCP relay that tests open and close to play an
//! outage of the server behind it (a mail server or document store going away and coming back)
//! without touching the server itself. While closed, every connection through it is cut and new
//! ones are dropped at once, as a client sees a server that has gone.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Gate {
    pub addr: SocketAddr,
    open: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Gate {
    /// A gate to `target`, open or closed.
    pub async fn start(target: SocketAddr, open: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (tx, rx) = watch::channel(open);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !*rx.borrow() {
                    drop(client);
                    continue;
                }
                let mut closed = rx.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else {
                        return;
                    };
                    let mut client = client;
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = closed.wait_for(|open| !*open) => {}
                    }
                });
            }
        });
        Self { addr, open: tx, task }
    }

    pub fn open(&self) {
        let _ = self.open.send(true);
    }

    /// Cuts every connection through the gate and drops new ones until it opens again.
    pub fn close(&self) {
        let _ = self.open.send(false);
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.task.abort();
    }
}
