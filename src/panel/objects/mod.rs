//! Backend-neutral objects, one file per object type. Field names are the ones the
//! Terraform resources use, so `PanelErrorKind::InvalidInput { field }` can be turned
//! into an attribute path.

mod database;
mod domain;
mod user;

pub use database::{Database, DatabaseKey, DatabasePatch, DatabaseSpec};
pub use domain::{Domain, DomainKey, DomainKind, DomainPatch, DomainSpec};
pub use user::{User, UserKey, UserPatch, UserSpec};
