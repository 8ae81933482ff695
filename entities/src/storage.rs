//! Object storage for documents and their archive, through `object_store`: a local directory
//! by default, any S3-compatible store (AWS, Garage, MinIO, …) by configuration. Keys are made
//! by the server, never taken from a file name.

use std::path::PathBuf;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Where one store keeps its objects.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// A directory (created if missing).
    Local(PathBuf),
    /// A bucket on an S3-compatible server.
    S3(S3Config),
}

#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// `None` for AWS itself; e.g. `http://127.0.0.1:9000` for a local server.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

/// Written by hand so that the secret key never prints.
impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(dir) => write!(f, "Local({})", dir.display()),
            Self::S3(s3) => write!(
                f,
                "S3(bucket={}, endpoint={:?}, region={})",
                s3.bucket, s3.endpoint, s3.region
            ),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("{0}")]
    Store(#[from] object_store::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the probe object read back differently")]
    Mismatch,
}

pub type Store = Arc<dyn ObjectStore>;

pub fn build(cfg: &StoreConfig) -> Result<Store, StorageError> {
    match cfg {
        StoreConfig::Local(dir) => {
            std::fs::create_dir_all(dir)?;
            Ok(Arc::new(LocalFileSystem::new_with_prefix(dir)?))
        }
        StoreConfig::S3(s3) => {
            // A store that does not answer fails within seconds, not the client's default three
            // minutes: a person's upload gets its answer, and the worker's archive job is tried
            // again later by the worker itself.
            let retry = object_store::RetryConfig {
                max_retries: 2,
                retry_timeout: std::time::Duration::from_secs(10),
                ..Default::default()
            };
            let mut builder = AmazonS3Builder::new()
                .with_retry(retry)
                .with_bucket_name(&s3.bucket)
                .with_region(&s3.region)
                .with_access_key_id(&s3.access_key_id)
                .with_secret_access_key(&s3.secret_access_key);
            if let Some(endpoint) = &s3.endpoint {
                builder = builder
                    .with_endpoint(endpoint)
                    .with_allow_http(endpoint.starts_with("http://"))
                    .with_virtual_hosted_style_request(false);
            }
            Ok(Arc::new(builder.build()?))
        }
    }
}

/// Writes, reads back and deletes a small object, so that a wrong bucket, endpoint or key
/// stops start-up with a clear message instead of failing a person's upload later.
pub async fn probe(store: &dyn ObjectStore) -> Result<(), StorageError> {
    let path = Path::from(format!("_probe/{}", crate::tokens::random_hex()));
    let body = b"pumpurs storage probe".to_vec();
    store.put(&path, PutPayload::from(body.clone())).await?;
    let read = store.get(&path).await?.bytes().await?;
    store.delete(&path).await?;
    if read.as_ref() == body.as_slice() {
        Ok(())
    } else {
        Err(StorageError::Mismatch)
    }
}
