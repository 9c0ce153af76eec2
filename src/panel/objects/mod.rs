//! Backend-neutral objects, one file per object type. Field names are the ones the
//! Terraform resources use, so `PanelErrorKind::InvalidInput { field }` can be turned
//! into an attribute path.

pub mod cron_job;
mod database;
pub mod database_user;
pub mod dns_record;
pub mod dns_zone;
mod domain;
pub mod ftp_account;
mod user;

pub use cron_job::{CronJob, CronJobKey, CronJobPatch, CronJobSpec};
pub use database::{ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec};
pub use database_user::{DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec};
pub use dns_record::{DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec};
pub use dns_zone::{DnsZone, DnsZoneKey, DnsZonePatch, DnsZoneSpec};
pub use domain::{Domain, DomainKey, DomainKind, DomainPatch, DomainSpec};
pub use ftp_account::{FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec};
pub use user::{User, UserKey, UserPatch, UserSpec};
