//! Rules the database itself keeps: money sums exact in integer cents, an append-only audit log.

use chrono::Utc;
use entities::audit;
use entities::money::Eur;
use pumpurs_tests::both_backends;
use sea_orm::{ConnectionTrait, Statement, TransactionTrait};

both_backends!(
    async fn money_sums_in_sql_are_exact(app) {
        // Amounts that floating point cannot hold exactly (0.1, 0.2, …) summed in SQL as cents.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut cents = Vec::new();
        for _ in 0..500 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            cents.push((seed % 10_000_000) as i64 + 10);
        }
        let txn = app.db.begin().await.expect("begin");
        txn.execute_unprepared("CREATE TEMPORARY TABLE money_probe (cents BIGINT NOT NULL)").await.expect("create");
        let values: Vec<String> = cents.iter().map(|c| format!("({c})")).collect();
        txn.execute_unprepared(&format!("INSERT INTO money_probe (cents) VALUES {}", values.join(","))).await.expect("insert");
        let backend = txn.get_database_backend();
        let row = txn
            .query_one_raw(Statement::from_string(backend, "SELECT CAST(SUM(cents) AS BIGINT) AS total FROM money_probe"))
            .await
            .expect("sum")
            .expect("row");
        let total: i64 = row.try_get("", "total").expect("total");
        txn.rollback().await.expect("rollback");
        let expected: Eur = cents.iter().map(|c| Eur::from_cents(*c)).sum();
        assert_eq!(Eur::from_cents(total), expected);
        assert_eq!(Eur::from_cents(total).to_plain(), expected.to_plain());
    }
);

both_backends!(
    async fn the_audit_log_refuses_updates_and_deletes(app) {
        let entry = audit::Entry { action: "test", object_type: "thing", object_id: Some(1), ..Default::default() };
        audit::record(&app.db, entry, Utc::now()).await.expect("insert");
        assert!(app.db.execute_unprepared("UPDATE audit_log SET action = 'changed'").await.is_err());
        assert!(app.db.execute_unprepared("DELETE FROM audit_log").await.is_err());
        let backend = app.db.get_database_backend();
        let row = app
            .db
            .query_one_raw(Statement::from_string(backend, "SELECT action FROM audit_log"))
            .await
            .expect("select")
            .expect("row");
        assert_eq!(row.try_get::<String>("", "action").expect("action"), "test");
    }
);
