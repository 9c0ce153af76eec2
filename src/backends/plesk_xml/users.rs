//! Users are Plesk customers (`customer` operator).
//!
//! Refresh reads come from one `customer get` with an empty filter, shared by every
//! user read of the process; a read-back, a lookup by login and an import read that
//! one customer. An update sends its `set` and the read-back `get` in one packet
//! (Plesk runs a packet's operations in order).

use super::wire::{self, CustomerChanges, CustomerRecord};
use super::{first_data, is_numeric_id, not_found_is_none, PleskXmlBackend, Touches};
use crate::panel::{
    ListFilter, Locator, PanelError, PanelResult, Secret, Service, User, UserKey, UserPatch,
    UserSpec,
};

fn user_from_record(record: &CustomerRecord) -> User {
    User {
        administrator: false,
        id: record.id.clone(),
        login: record.login.clone(),
        email: record.email.clone(),
        name: record.pname.clone(),
        plan: None,
        suspended: record.suspended,
    }
}

fn no_plans() -> PanelError {
    PanelError::unsupported("plesk customers have no plan; plans belong to subscriptions")
}

impl PleskXmlBackend {
    /// One customer, by `id` or `login`.
    pub(super) async fn customer(&self, criterion: (&str, &str)) -> PanelResult<Option<User>> {
        let packet = self.read(&wire::customer_get(Some(criterion))).await?;
        Ok(first_data(&packet, "customer", "get")?
            .and_then(wire::customer_record)
            .map(|r| user_from_record(&r)))
    }
}

#[async_trait::async_trait]
impl Service<User> for PleskXmlBackend {
    async fn create(&self, spec: &UserSpec) -> PanelResult<User> {
        if spec.plan.is_some() {
            return Err(no_plans());
        }
        let body = wire::customer_add(
            &spec.login,
            &spec.name,
            &spec.password,
            &spec.email,
            spec.suspended,
        );
        // Plesk runs a packet's operations in order: the `get` after the `add` reads
        // the new customer back in the same request.
        let body = body + &wire::customer_get(Some(("login", &spec.login)));
        let packet = self
            .write(&body, &[&spec.password], Touches::CUSTOMERS)
            .await?;
        let id = wire::result_id(
            wire::single_result(&packet, "customer", "add")?,
            "customer add",
        )?;
        self.learn_login(&spec.login, &id);
        if let Some(record) = first_data(&packet, "customer", "get")?
            .and_then(wire::customer_record)
            .filter(|record| record.id == id)
        {
            return Ok(user_from_record(&record));
        }
        // Not readable yet: what the panel was told.
        Ok(User {
            administrator: false,
            id,
            login: spec.login.clone(),
            email: spec.email.clone(),
            name: spec.name.clone(),
            plan: None,
            suspended: spec.suspended,
        })
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<User>> {
        if !is_numeric_id(&at.id) {
            return Ok(None);
        }
        let customers = self.customer_table().await?;
        Ok(customers.by_id(&at.id).map(user_from_record))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<User>> {
        if !is_numeric_id(&at.id) {
            return Ok(None);
        }
        self.customer(("id", &at.id)).await
    }

    async fn find(&self, key: &UserKey) -> PanelResult<Option<User>> {
        if key.login.is_empty() {
            return Ok(None);
        }
        self.customer(("login", &key.login)).await
    }

    async fn list(&self, _filter: &ListFilter) -> PanelResult<Vec<User>> {
        let customers = self.customer_table().await?;
        Ok(customers.customers.iter().map(user_from_record).collect())
    }

    async fn update(&self, at: &Locator, patch: &UserPatch) -> PanelResult<User> {
        if patch.plan.is_some() {
            return Err(no_plans());
        }
        if !is_numeric_id(&at.id) {
            return Err(PanelError::not_found(format!(
                "plesk customer {:?} does not exist (customer ids are numbers)",
                at.id
            )));
        }
        let changes = CustomerChanges {
            name: patch.name.as_deref(),
            password: patch.password.as_ref(),
            suspended: patch.suspended,
            email: patch.email.as_deref(),
        };
        let read_back = wire::customer_get(Some(("id", &at.id)));
        let packet = if changes.is_empty() {
            self.read(&read_back).await?
        } else {
            let secrets: Vec<&Secret> = patch.password.iter().collect();
            let body = wire::customer_set(&at.id, &changes) + &read_back;
            let packet = self.write(&body, &secrets, Touches::CUSTOMERS).await?;
            wire::single_result(&packet, "customer", "set")?;
            packet
        };
        first_data(&packet, "customer", "get")?
            .and_then(wire::customer_record)
            .map(|r| user_from_record(&r))
            .ok_or_else(|| {
                PanelError::not_found(format!("plesk customer {} does not exist", at.id))
            })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        if !is_numeric_id(&at.id) {
            return Ok(());
        }
        // Deleting a customer deletes its subscriptions and their databases.
        let outcome = self
            .write(&wire::customer_del(&at.id), &[], Touches::EVERYTHING)
            .await;
        self.forget_customer(&at.id);
        not_found_is_none(wire::single_result(&outcome?, "customer", "del")).map(|_| ())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<User>> {
        let found = self
            .find(&UserKey {
                login: id.to_owned(),
            })
            .await?;
        if found.is_none() && is_numeric_id(id) {
            return self.read_back(&Locator::new(id)).await;
        }
        Ok(found)
    }

    fn import_id(&self, object: &User) -> String {
        object.login.clone()
    }

    fn import_format(&self) -> &'static str {
        "its login (or its numeric Plesk customer id)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_map_to_users() {
        let user = user_from_record(&CustomerRecord {
            id: "176".into(),
            login: "john".into(),
            pname: "John Smith".into(),
            email: "j@example.com".into(),
            suspended: true,
        });
        assert!(user.suspended);
        assert_eq!(user.plan, None);
        assert_eq!(user.name, "John Smith");
        assert_eq!(user.login, "john");
    }
}
