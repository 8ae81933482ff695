//! Object storage: the local default and a real S3-compatible server on loopback.

use entities::storage::{self, StoreConfig};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload};
use pumpurs_tests::s3::S3Server;
use web::config::Config;

#[tokio::test]
async fn s3_storage_round_trips_and_a_wrong_key_is_refused_at_start_up() {
    let server = S3Server::start(&["documents", "archive"]).await;
    let store = storage::build(&server.store("documents")).expect("store");
    storage::probe(store.as_ref()).await.expect("probe against s3s-fs");
    let path = Path::from("calls/1/a.pdf");
    store
        .put(&path, PutPayload::from_static(b"%PDF-1.7 test"))
        .await
        .expect("put");
    assert!(
        server.dir.path().join("documents/calls/1/a.pdf").exists(),
        "the object is in the bucket"
    );
    let read = store.get(&path).await.expect("get").bytes().await.expect("bytes");
    assert_eq!(read.as_ref(), b"%PDF-1.7 test");

    let dir = tempfile::tempdir().expect("dir");
    let mut cfg = Config::development(dir.path().to_path_buf());
    cfg.documents = server.store_with_secret("documents", "not-the-secret");
    cfg.archive = server.store("archive");
    let db = web::startup::connect(&cfg).await.expect("connect");
    let err = web::startup::state(cfg, db)
        .await
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        err.contains("documents storage") && err.contains("PUMPURS_S3_"),
        "{err}"
    );
    assert!(!err.contains("not-the-secret"), "the secret never prints: {err}");
}

#[tokio::test]
async fn local_storage_is_the_default_and_creates_its_directory() {
    let dir = tempfile::tempdir().expect("dir");
    let cfg = Config::development(dir.path().to_path_buf());
    assert_eq!(cfg.documents, StoreConfig::Local(dir.path().join("documents")));
    let db = web::startup::connect(&cfg).await.expect("connect");
    web::startup::state(cfg, db).await.expect("state");
    assert!(dir.path().join("documents").is_dir() && dir.path().join("archive").is_dir());
}
