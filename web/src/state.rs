//! Shared state of the web layer: the database pool, the configuration, object storage.

use std::sync::Arc;

use entities::storage::Store;
use entities::time::Clock;
use sea_orm::DatabaseConnection;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub cfg: Arc<Config>,
    /// Verified against when a login names no account, so both answers take as long.
    pub decoy_hash: Arc<str>,
    pub documents: Store,
    pub archive: Store,
    pub clock: Clock,
    /// Call rankings worked out once per results version.
    pub rankings: Arc<entities::grants::decision::Rankings>,
}

impl AppState {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
