//! The Pumpurs schema. One migrator serves SQLite (the embedded default) and PostgreSQL
//! (production); every migration is written so that both run it. Money columns are integer cents,
//! times are UTC instants. The `pumpurs migrate` subcommand and `pumpurs serve` on SQLite apply it.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_foundation;
mod m20261122_000002_calls;
mod m20261122_000003_scoring;
mod m20261122_000004_deliveries;
mod m20261122_000005_reminders;
mod m20261122_000006_plans;
mod m20261122_000007_carrying_out;
mod m20261122_000008_indirect_hours;
mod m20261123_000009_second_factor;
mod m20261123_000010_api_tokens;
mod m20261201_000011_nothing_lost;
mod m20261201_000012_delivery_claims;
mod m20261201_000013_grant_terms;
mod m20261201_000014_projects;
mod m20261201_000015_agreements;
mod m20261201_000016_payments;
mod m20261201_000017_reports;
mod m20261201_000018_settlement;
mod m20261201_000019_report_documents;
mod m20261201_000020_call_files;
mod m20261201_000021_call_forms;
mod m20261201_000022_pupil_transfers;
mod m20261201_000023_consent_evidence;
mod m20261201_000024_carried_plans;
mod m20261201_000025_recovery_codes;
mod m20261205_000026_results_version;
mod m20261205_000027_review_indexes;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_calls::Migration),
            Box::new(m20261122_000003_scoring::Migration),
            Box::new(m20261122_000004_deliveries::Migration),
            Box::new(m20261122_000005_reminders::Migration),
            Box::new(m20261122_000006_plans::Migration),
            Box::new(m20261122_000007_carrying_out::Migration),
            Box::new(m20261122_000008_indirect_hours::Migration),
            Box::new(m20261123_000009_second_factor::Migration),
            Box::new(m20261123_000010_api_tokens::Migration),
            Box::new(m20261201_000011_nothing_lost::Migration),
            Box::new(m20261201_000012_delivery_claims::Migration),
            Box::new(m20261201_000013_grant_terms::Migration),
            Box::new(m20261201_000014_projects::Migration),
            Box::new(m20261201_000015_agreements::Migration),
            Box::new(m20261201_000016_payments::Migration),
            Box::new(m20261201_000017_reports::Migration),
            Box::new(m20261201_000018_settlement::Migration),
            Box::new(m20261201_000019_report_documents::Migration),
            Box::new(m20261201_000020_call_files::Migration),
            Box::new(m20261201_000021_call_forms::Migration),
            Box::new(m20261201_000022_pupil_transfers::Migration),
            Box::new(m20261201_000023_consent_evidence::Migration),
            Box::new(m20261201_000024_carried_plans::Migration),
            Box::new(m20261201_000025_recovery_codes::Migration),
            Box::new(m20261205_000026_results_version::Migration),
            Box::new(m20261205_000027_review_indexes::Migration),
        ]
    }
}
