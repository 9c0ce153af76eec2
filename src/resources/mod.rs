//! The Terraform types: one file per object type, each an [`engine::ObjectType`]
//! description that the [`engine`] turns into a resource and two data sources. Each
//! type is listed here exactly once.

pub mod certificate;
pub mod cron_job;
pub mod database;
pub mod database_user;
pub mod dns_record;
pub mod dns_zone;
pub mod domain;
pub mod engine;
pub mod ftp_account;
pub mod mail_domain;
pub mod mailbox;
pub mod user;

use std::sync::Arc;

use crate::framework::resource::{DataSource, Resource};

use engine::adopt::{Adopt, Adopter};
use engine::{Listing, Lookup, Managed, ObjectType};

/// Every resource and data source type the provider offers, and their adopters.
#[derive(Default)]
pub struct Registry {
    pub resources: Vec<Arc<dyn Resource>>,
    pub data_sources: Vec<Arc<dyn DataSource>>,
    /// In dependency order: a type's references point to types listed before it.
    pub adopters: Vec<Arc<dyn Adopt>>,
}

impl Registry {
    /// A type's resource, its singular and plural data sources, and its adopter.
    fn register<T: ObjectType>(&mut self) {
        self.resources.push(Arc::new(Managed::<T>::new()));
        self.data_sources.push(Arc::new(Lookup::<T>::new()));
        self.data_sources.push(Arc::new(Listing::<T>::new()));
        self.adopters.push(Arc::new(Adopter::<T>::default()));
    }
}

/// The registry of every type.
pub fn registry() -> Registry {
    let mut registry = Registry::default();
    registry.register::<user::UserType>();
    registry.register::<domain::DomainType>();
    registry.register::<database::DatabaseType>();
    registry.register::<cron_job::CronJobType>();
    registry.register::<dns_record::DnsRecordType>();
    registry.register::<ftp_account::FtpAccountType>();
    registry.register::<dns_zone::DnsZoneType>();
    registry.register::<mailbox::MailboxType>();
    registry.register::<database_user::DatabaseUserType>();
    registry.register::<mail_domain::MailDomainType>();
    registry.register::<certificate::CertificateType>();
    registry
}

/// Every managed resource type the provider offers.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    registry().resources
}

/// Every data source type the provider offers.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    registry().data_sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn type_names_are_unique_prefixed_and_schemas_valid() {
        let mut seen = BTreeSet::new();
        let registry = registry();
        let resources = registry
            .resources
            .iter()
            .map(|r| ("resource", r.type_name(), r.schema()));
        let data_sources = registry
            .data_sources
            .iter()
            .map(|d| ("data source", d.type_name(), d.schema()));
        for (kind, name, schema) in resources.chain(data_sources) {
            assert!(seen.insert((kind, name)), "{kind} {name} registered twice");
            assert!(
                name.starts_with("panel_"),
                "{kind} {name} lacks the panel_ prefix"
            );
            assert_eq!(schema.check(), Ok(()), "{kind} {name}");
        }
        for resource in &registry.resources {
            let id = resource.schema().block.attribute_named("id").cloned();
            assert!(
                id.is_some_and(|id| id.computed && !id.optional),
                "{} needs a computed `id`: the engine records unconfirmed creates by it",
                resource.type_name()
            );
        }
    }
}
