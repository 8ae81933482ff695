//! A real S3-compatible server (s3s-fs, with SigV4 authentication) on 127.0.0.1:0 inside the
//! test process, storing its buckets in a temporary directory.

use entities::storage::{S3Config, StoreConfig};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use s3s::auth::SimpleAuth;
use s3s::service::S3ServiceBuilder;

pub const ACCESS_KEY: &str = "AKPUMPURSTEST";
pub const SECRET_KEY: &str = "pumpurs-test-secret-key";

pub struct S3Server {
    pub endpoint: String,
    pub dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl S3Server {
    /// Starts a server with these (empty) buckets.
    pub async fn start(buckets: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        for bucket in buckets {
            std::fs::create_dir(dir.path().join(bucket)).expect("bucket directory");
        }
        let fs = s3s_fs::FileSystem::new(dir.path()).expect("s3s-fs");
        let mut builder = S3ServiceBuilder::new(fs);
        builder.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
        let service = builder.build();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let service = service.clone();
                tokio::spawn(async move {
                    let conn = ConnBuilder::new(TokioExecutor::new());
                    let _ = conn.serve_connection(TokioIo::new(socket), service).await;
                });
            }
        });
        Self { endpoint, dir, task }
    }

    /// The store configuration for `bucket` on this server.
    pub fn store(&self, bucket: &str) -> StoreConfig {
        self.store_with_secret(bucket, SECRET_KEY)
    }

    pub fn store_with_secret(&self, bucket: &str, secret: &str) -> StoreConfig {
        StoreConfig::S3(S3Config {
            bucket: bucket.to_owned(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".to_owned(),
            access_key_id: ACCESS_KEY.to_owned(),
            secret_access_key: secret.to_owned(),
        })
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
