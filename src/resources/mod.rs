//! The resource and data source registry: one file per Terraform type lives next to
//! this one, and each is listed here exactly once.

pub mod common;
mod data_database;
mod data_domain;
mod data_shared;
mod data_user;
pub mod database;
pub mod domain;
pub mod user;

use std::sync::Arc;

use crate::framework::resource::{DataSource, Resource};

/// Every managed resource type the provider offers.
pub fn resources() -> Vec<Arc<dyn Resource>> {
    vec![
        Arc::new(user::UserResource),
        Arc::new(domain::DomainResource),
        Arc::new(database::DatabaseResource),
    ]
}

/// Every data source type the provider offers.
pub fn data_sources() -> Vec<Arc<dyn DataSource>> {
    vec![
        Arc::new(data_user::UserDataSource),
        Arc::new(data_user::UsersDataSource),
        Arc::new(data_domain::DomainDataSource),
        Arc::new(data_domain::DomainsDataSource),
        Arc::new(data_database::DatabaseDataSource),
        Arc::new(data_database::DatabasesDataSource),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn type_names_are_unique_prefixed_and_schemas_valid() {
        let mut seen = BTreeSet::new();
        let resources = resources().into_iter().map(|r| (r.type_name(), r.schema()));
        let data_sources = data_sources()
            .into_iter()
            .map(|d| (d.type_name(), d.schema()));
        for (kind, (name, schema)) in resources
            .map(|r| ("resource", r))
            .chain(data_sources.map(|d| ("data source", d)))
        {
            assert!(seen.insert((kind, name)), "{kind} {name} registered twice");
            assert!(
                name.starts_with("panel_"),
                "{kind} {name} lacks the panel_ prefix"
            );
            assert_eq!(schema.check(), Ok(()), "{kind} {name}");
        }
    }
}
