//! Backend-neutral objects, one file per object type. Field names are the ones the
//! Terraform resources use, so `PanelErrorKind::InvalidInput { field }` can be turned
//! into an attribute path.

pub mod certificate;
pub mod cron_job;
mod database;
pub mod database_user;
pub mod dns_record;
pub mod dns_zone;
mod domain;
pub mod ftp_account;
pub mod mail_domain;
pub mod mailbox;
mod user;

pub use certificate::{
    Certificate, CertificateInfo, CertificateKey, CertificatePatch, CertificateSource,
    CertificateSpec,
};
pub use cron_job::{CronJob, CronJobKey, CronJobPatch, CronJobSpec};
pub use database::{ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec};
pub use database_user::{DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec};
pub use dns_record::{DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec};
pub use dns_zone::{DnsZone, DnsZoneKey, DnsZonePatch, DnsZoneSpec};
pub use domain::{Domain, DomainKey, DomainKind, DomainPatch, DomainSpec};
pub use ftp_account::{FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec};
pub use mail_domain::{MailDomain, MailDomainKey, MailDomainPatch, MailDomainSpec};
pub use mailbox::{Mailbox, MailboxKey, MailboxPatch, MailboxSpec};
pub use user::{User, UserKey, UserPatch, UserSpec};
