//! Youth-initiative grants: a municipality's calls (`calls`), the applicants' profiles
//! (`profiles`) and applications (`applications`), the coordinator's compliance check
//! (`compliance`), the panel's scorecards (`panel`) aggregated by `scoring`, and the decision
//! (`decision`) that funds down the ranking (`allocation`), and the funded projects that follow
//! (`projects`) with their agreements (`agreements`)
//! payments (`payments`), reports (`reports`) and settlement (`settlement`).

pub mod agreements;
pub mod allocation;
pub mod applications;
pub mod calls;
pub mod compliance;
pub mod decision;
pub mod forms;
pub mod panel;
pub mod payments;
pub mod profiles;
pub mod projects;
pub mod reports;
pub mod scoring;
pub mod settlement;
