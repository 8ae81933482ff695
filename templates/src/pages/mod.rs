//! Pages, each a function from a view model to markup.

pub mod accounts;
pub mod api_tokens;
pub mod applications;
pub mod call_form;
pub mod calls;
pub mod compliance;
pub mod dash;
pub mod decisions;
pub mod errors;
pub mod jobs;
pub mod mail;
pub mod minutes;
pub mod orgs;
pub mod plan_documents;
pub mod plans;
pub mod profile;
pub mod projects;
pub mod pupil_import;
pub mod scoring;
pub mod stats;
