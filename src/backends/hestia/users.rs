//! HestiaCP users: `v-add-user`, `v-list-user(s)`, `v-change-user-*`,
//! `v-(un)suspend-user`, `v-delete-user`. A user's id is its login, spelled as the
//! panel spells it.

use crate::panel::{
    ListFilter, Locator, PanelError, PanelResult, Service, User, UserKey, UserPatch, UserSpec,
};

use super::wire::{self, UserRecord};
use super::{non_empty, single, yes, HestiaBackend, Touches};

pub(crate) fn user_from_record(login: &str, record: &UserRecord) -> User {
    User {
        administrator: record.role == "admin",
        id: login.to_owned(),
        login: login.to_owned(),
        email: record.contact.trim().to_owned(),
        name: record.name.trim().to_owned(),
        plan: non_empty(&record.package),
        suspended: yes(&record.suspended),
    }
}

impl HestiaBackend {
    /// One user, fresh: `v-list-user LOGIN json` (exit 3: there is none).
    async fn read_user(&self, login: &str) -> PanelResult<Option<User>> {
        if login.is_empty() {
            return Ok(None);
        }
        let command = wire::list_user(login);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        Ok(single::<UserRecord>(&command, &body)?
            // The panel keys the answer by the user's own name.
            .map(|(key, record)| user_from_record(&key, &record)))
    }

    /// What a create left behind when a later step failed: the user as read, else as
    /// the spec made it (the `v-add-user` answer said it exists).
    async fn created_user(&self, spec: &UserSpec) -> User {
        match self.read_user(&spec.login).await {
            Ok(Some(user)) => user,
            _ => User {
                administrator: false,
                id: spec.login.clone(),
                login: spec.login.clone(),
                email: spec.email.clone(),
                name: spec.name.trim().to_owned(),
                plan: Some(
                    spec.plan
                        .clone()
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| wire::DEFAULT_PACKAGE.to_owned()),
                ),
                suspended: false,
            },
        }
    }
}

#[async_trait::async_trait]
impl Service<User> for HestiaBackend {
    async fn create(&self, spec: &UserSpec) -> PanelResult<User> {
        let command = wire::add_user(
            &spec.login,
            &spec.password,
            &spec.email,
            spec.plan.as_deref(),
            &spec.name,
        );
        self.write(&command, Touches::Owner(&spec.login)).await?;
        if spec.suspended {
            if let Err(error) = self
                .write(&wire::suspend_user(&spec.login), Touches::User(&spec.login))
                .await
            {
                return Err(error.with_partial(self.created_user(spec).await));
            }
        }
        let user = self.created_user(spec).await;
        self.fresh.remember(&user, &user.id);
        Ok(user)
    }

    /// From the one `v-list-users` every user refreshed in this run shares.
    async fn get(&self, at: &Locator) -> PanelResult<Option<User>> {
        Ok(self
            .all_users()
            .await?
            .iter()
            .find(|user| user.id == at.id)
            .cloned())
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<User>> {
        if let Some(user) = self.fresh.take::<User>(&at.id) {
            return Ok(Some(user));
        }
        self.read_user(&at.id).await
    }

    async fn find(&self, key: &UserKey) -> PanelResult<Option<User>> {
        self.read_user(&key.login).await
    }

    async fn list(&self, _filter: &ListFilter) -> PanelResult<Vec<User>> {
        Ok(self.all_users().await?.as_ref().clone())
    }

    async fn update(&self, at: &Locator, patch: &UserPatch) -> PanelResult<User> {
        let missing = || PanelError::not_found(format!("hestia user {:?} does not exist", at.id));
        let current = self.read_user(&at.id).await?.ok_or_else(missing)?;
        let commands = plan_user_update(&current, patch);
        if commands.is_empty() {
            return Ok(current);
        }
        for command in &commands {
            self.write(command, Touches::User(&current.id)).await?;
        }
        self.read_user(&current.id).await?.ok_or_else(missing)
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        if at.id.is_empty() {
            return Ok(());
        }
        match self
            .write(&wire::delete_user(&at.id), Touches::Owner(&at.id))
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<User>> {
        self.read_user(id.trim()).await
    }

    fn import_id(&self, object: &User) -> String {
        object.login.clone()
    }

    fn import_format(&self) -> &'static str {
        "its login"
    }
}

/// The commands that take `current` to `current + patch`, in an order Hestia accepts:
/// most `v-change-user-*` scripts refuse a suspended user (exit 5), so a suspended
/// user is unsuspended first and suspended again last if it should stay so.
pub(crate) fn plan_user_update(current: &User, patch: &UserPatch) -> Vec<wire::Command> {
    let login = current.login.as_str();
    let mut changes = Vec::new();
    if let Some(email) = patch.email.as_deref().filter(|e| *e != current.email) {
        changes.push(wire::change_user_contact(login, email));
    }
    if let Some(name) = patch.name.as_deref().filter(|n| *n != current.name) {
        changes.push(wire::change_user_name(login, name));
    }
    if let Some(plan) = patch
        .plan
        .as_deref()
        .filter(|p| !p.is_empty() && Some(*p) != current.plan.as_deref())
    {
        changes.push(wire::change_user_package(login, plan));
    }
    if let Some(password) = &patch.password {
        changes.push(wire::change_user_password(login, password));
    }
    let want_suspended = patch.suspended.unwrap_or(current.suspended);
    let mut commands = Vec::new();
    if current.suspended && (!changes.is_empty() || !want_suspended) {
        commands.push(wire::unsuspend_user(login));
    }
    commands.extend(changes);
    let suspended_after_changes = current.suspended && commands.is_empty();
    if want_suspended && !suspended_after_changes {
        commands.push(wire::suspend_user(login));
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::tests::{backend, replaying_server};
    use crate::panel::{PanelErrorKind, Secret};
    use std::sync::atomic::Ordering;
    use std::sync::Arc;

    fn user(suspended: bool) -> User {
        User {
            administrator: false,
            id: "bob".into(),
            login: "bob".into(),
            email: "bob@example.com".into(),
            name: "Bob Builder".into(),
            plan: Some("default".into()),
            suspended,
        }
    }

    fn names(commands: &[wire::Command]) -> Vec<&'static str> {
        commands.iter().map(|c| c.name).collect()
    }

    #[test]
    fn a_suspended_user_is_unsuspended_around_changes() {
        let patch = UserPatch {
            email: Some("new@example.com".into()),
            ..Default::default()
        };
        assert_eq!(
            names(&plan_user_update(&user(true), &patch)),
            [
                "v-unsuspend-user",
                "v-change-user-contact",
                "v-suspend-user"
            ]
        );
        let patch = UserPatch {
            email: Some("new@example.com".into()),
            suspended: Some(false),
            ..Default::default()
        };
        assert_eq!(
            names(&plan_user_update(&user(true), &patch)),
            ["v-unsuspend-user", "v-change-user-contact"]
        );
    }

    #[test]
    fn suspension_alone_and_no_op_patches() {
        let suspend = UserPatch {
            suspended: Some(true),
            ..Default::default()
        };
        assert_eq!(
            names(&plan_user_update(&user(false), &suspend)),
            ["v-suspend-user"]
        );
        // Already suspended: suspending again would fail with exit 5.
        assert!(plan_user_update(&user(true), &suspend).is_empty());
        assert!(plan_user_update(&user(false), &UserPatch::default()).is_empty());
        let same = UserPatch {
            email: Some("bob@example.com".into()),
            plan: Some("default".into()),
            ..Default::default()
        };
        assert!(plan_user_update(&user(false), &same).is_empty());
    }

    #[test]
    fn every_field_has_its_command() {
        let patch = UserPatch {
            email: Some("n@example.com".into()),
            name: Some("New Name".into()),
            plan: Some("gold".into()),
            suspended: None,
            password: Some(Secret::new("pw-123456")),
        };
        assert_eq!(
            names(&plan_user_update(&user(false), &patch)),
            [
                "v-change-user-contact",
                "v-change-user-name",
                "v-change-user-package",
                "v-change-user-password"
            ]
        );
    }

    #[test]
    fn records_keep_the_panels_spelling() {
        let record = UserRecord {
            name: " Cap User ".into(),
            package: "default".into(),
            contact: "cap@example.com".into(),
            suspended: "yes".into(),
            role: "user".into(),
        };
        let user = user_from_record("Zupper", &record);
        assert_eq!(user.id, "Zupper");
        assert_eq!(user.login, "Zupper");
        assert_eq!(user.name, "Cap User");
        assert!(user.suspended);
        assert_eq!(user.plan.as_deref(), Some("default"));
    }

    #[tokio::test]
    async fn refreshing_many_users_costs_one_request() {
        let (url, hits) = replaying_server("19-list-users").await;
        let backend = Arc::new(backend(url));
        let mut tasks = Vec::new();
        for login in ["admin", "capuser", "nobody", "capuser"] {
            let backend = backend.clone();
            tasks.push(tokio::spawn(async move {
                Service::<User>::get(backend.as_ref(), &Locator::new(login)).await
            }));
        }
        let mut found = Vec::new();
        for task in tasks {
            found.push(task.await.unwrap().unwrap().map(|u| u.email));
        }
        assert_eq!(found[0].as_deref(), Some("admin@example.com"));
        assert!(found[1].is_some());
        assert_eq!(found[2], None);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn find_is_one_single_user_read() {
        // Record 16: `v-list-user capuser json`.
        let (url, hits) = replaying_server("16-list-user").await;
        let backend = backend(url);
        let key = UserKey {
            login: "capuser".into(),
        };
        let found = Service::<User>::find(&backend, &key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.email, "cap@example.com");
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        // Record 17: exit 3 means there is no such user.
        let (url, hits) = replaying_server("17-list-user-missing").await;
        let key = UserKey {
            login: "nosuchuser".into(),
        };
        assert_eq!(backend_find(url, &key).await, None);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    async fn backend_find(url: String, key: &UserKey) -> Option<User> {
        Service::<User>::find(&backend(url), key).await.unwrap()
    }

    #[tokio::test]
    async fn deleting_a_missing_user_is_done_and_a_duplicate_is_reported() {
        let (url, _) = replaying_server("53-delete-user-again").await;
        Service::<User>::delete(&backend(url), &Locator::new("capuser"))
            .await
            .unwrap();
        let (url, _) = replaying_server("11-add-user-duplicate").await;
        let spec = UserSpec {
            login: "capuser".into(),
            email: "cap@example.com".into(),
            name: String::new(),
            password: Secret::new("pw-123456"),
            plan: None,
            suspended: false,
        };
        let error = Service::<User>::create(&backend(url), &spec)
            .await
            .unwrap_err();
        assert_eq!(error.kind, PanelErrorKind::AlreadyExists);
        assert!(!error.message.contains("pw-123456"));
    }
}
