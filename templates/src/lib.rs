//! Everything a person reads: maud pages (a layout, small components, pages that take view
//! models — never a database handle or an entity with secrets), the bodies of emails, the
//! stylesheet, and the i18n catalogue (Fluent; Latvian by default, English by choice).

pub mod components;
pub mod email;
pub mod i18n;
pub mod layout;
pub mod pages;
pub mod pdf;
pub mod qr;
pub mod summary;
pub mod view;

pub use entities::domain::Lang;
pub use i18n::{t, tf};
pub use layout::{NavLink, PageCtx, layout};

/// The stylesheet, served at `/static/app.css` (no inline styles: the CSP forbids them).
pub const STYLESHEET: &str = include_str!("../static/app.css");

/// The one script, served at `/static/app.js`: progressive only (moves focus to an error
/// summary); every page works without it.
pub const SCRIPT: &str = include_str!("../static/app.js");
