//! Backend-neutral objects, one file per object type. Field names are the ones the
//! Terraform resources use, so `PanelErrorKind::InvalidInput { field }` can be turned
//! into an attribute path.

pub mod certificate;
pub mod cron_job;
mod database;
pub mod dns_record;
mod domain;
pub mod ftp_account;
mod user;

pub use certificate::{
    Certificate, CertificateInfo, CertificateKey, CertificatePatch, CertificateSource,
    CertificateSpec,
};
pub use cron_job::{CronJob, CronJobKey, CronJobPatch, CronJobSpec};
pub use database::{ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec};
pub use dns_record::{DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec};
pub use domain::{Domain, DomainKey, DomainKind, DomainPatch, DomainSpec};
pub use ftp_account::{FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec};
pub use user::{User, UserKey, UserPatch, UserSpec};
