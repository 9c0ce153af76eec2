//! PanelAlpha users (admin API), with their plan (the user's service) and suspension.
//!
//! A delete is archive-then-purge; a user can also be left archived (PanelAlpha's UI
//! only archives, or a purge failed). See the module docs in `mod.rs` for how archived
//! users are read, deleted and reported.

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use super::client::{HttpRequest, LARGE_PAGE};
use super::error::FieldMap;
use super::wire::{self, Plan, Service, UserRequest};
use super::{
    ignore_not_found, join_name, parse_number, primary_service, split_name, to_json,
    PanelAlphaBackend, Source, Touch, UserIndex, ALL, NO_FIELDS,
};
use crate::panel::{
    ListFilter, Locator, PanelError, PanelErrorKind, PanelResult, Service as PanelService, User,
    UserKey, UserPatch, UserSpec,
};

const USER_FIELDS: FieldMap = &[
    ("email", "email"),
    ("password", "password"),
    ("first_name", "name"),
    ("last_name", "name"),
    ("name", "name"),
    ("plan_id", "plan"),
];

/// Why an archived user came up, which decides what the error advises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArchivedWhen {
    /// Its email was looked up (before a create, or by a data source).
    EmailLookup,
    /// A create was refused because the email is taken.
    Create,
    /// It was imported.
    Import,
    /// An update was asked for.
    Update,
}

/// The error for a user that is archived on the panel: what it is, why the provider
/// does not touch it, and the two ways out with the exact calls.
fn archived_error(user: &wire::User, when: ArchivedWhen) -> PanelError {
    let id = user.id.map_or_else(|| "?".to_owned(), |id| id.to_string());
    let email = &user.email;
    let what = format!(
        "panelalpha user {id} ({email}) is archived on the panel: it was deleted in \
         PanelAlpha (which only archives), or a delete by this provider archived it and \
         then failed to purge it. An archived user keeps its email until it is purged"
    );
    let purge = format!(
        "purge it in PanelAlpha (\"Delete archived user\", `DELETE api/admin/users/{id}/delete`)"
    );
    let restore = format!("restore it (\"Unarchive user\", `PUT api/admin/users/{id}/unarchive`)");
    let import = format!("terraform import panel_user.NAME '{email}'");
    let message = match when {
        ArchivedWhen::EmailLookup | ArchivedWhen::Create => format!(
            "the email {email} is taken: {what}. The provider never purges a user it did not \
             set out to delete. To create a new user with this email, {purge} and apply \
             again; to keep the archived one, {restore} and import it: `{import}`"
        ),
        ArchivedWhen::Import => format!(
            "{what}. To manage it with Terraform, {restore} and import it again (`{import}`); \
             to be rid of it, {purge}"
        ),
        ArchivedWhen::Update => format!(
            "{what}, so it cannot be changed. To keep it, {restore} and apply again; to \
             replace it with a new user, {purge} and apply again (Terraform then creates it \
             anew)"
        ),
    };
    PanelError::soft_deleted(message)
}

fn decode_user(what: &str, value: serde_json::Value) -> PanelResult<wire::User> {
    serde_json::from_value(value)
        .map_err(|e| PanelError::protocol(format!("{what}: unexpected answer: {e}")))
}

impl PanelAlphaBackend {
    pub(super) async fn plans(&self) -> PanelResult<Arc<Vec<Plan>>> {
        self.plans
            .get_or_load(ALL, || self.client.list("admin/plans", None))
            .await
    }

    /// The plan's id and the panel's spelling of its name.
    async fn plan_id(&self, name: &str) -> PanelResult<(i64, String)> {
        let plans = self.plans().await?;
        plans
            .iter()
            .find(|p| p.name == name)
            .or_else(|| plans.iter().find(|p| p.name.eq_ignore_ascii_case(name)))
            .and_then(|p| p.id.map(|id| (id, p.name.clone())))
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("plan"),
                    format!("panelalpha has no plan named {name:?}"),
                )
            })
    }

    async fn plan_name(&self, service: &Service) -> PanelResult<Option<String>> {
        if let Some(name) = service.plan.as_ref().and_then(|p| p.name.clone()) {
            return Ok(Some(name));
        }
        let Some(plan_id) = service
            .plan_id
            .or_else(|| service.plan.as_ref().and_then(|p| p.id))
        else {
            return Ok(None);
        };
        let plans = self.plans().await?;
        Ok(plans
            .iter()
            .find(|p| p.id == Some(plan_id))
            .map(|p| p.name.clone()))
    }

    async fn load_index(&self, path: &str) -> PanelResult<UserIndex> {
        let listing = self
            .client
            .list_all::<wire::User>(path, None, LARGE_PAGE)
            .await?;
        Ok(UserIndex {
            by_id: listing
                .items
                .into_iter()
                .filter_map(|u| u.id.map(|id| (id, u)))
                .collect(),
            complete: listing.complete,
        })
    }

    /// Every active user: one list for the whole run.
    pub(super) async fn user_index(&self) -> PanelResult<Arc<UserIndex>> {
        self.users
            .get_or_load(ALL, || self.load_index("admin/users"))
            .await
    }

    /// Every archived user: one list for the whole run, read only when a user is
    /// missing from the active ones.
    async fn archived_index(&self) -> PanelResult<Arc<UserIndex>> {
        self.archived
            .get_or_load(ALL, || self.load_index("admin/users/archived"))
            .await
    }

    /// `GET api/admin/users/{id}` (active users only).
    async fn active_user(&self, id: i64) -> PanelResult<Option<wire::User>> {
        let path = format!("admin/users/{id}");
        match self.read_object(&path, None).await? {
            Some(value) => decode_user(&format!("GET {path}"), value).map(Some),
            None => Ok(None),
        }
    }

    /// `GET api/admin/users/{id}/archived`.
    async fn archived_user(&self, id: i64) -> PanelResult<Option<wire::User>> {
        let path = format!("admin/users/{id}/archived");
        match self.read_object(&path, None).await? {
            Some(value) => decode_user(&format!("GET {path}"), value).map(Some),
            None => Ok(None),
        }
    }

    /// The archived user holding `email`, from the run's archived list (`fresh`: read
    /// again, after the panel refused the email).
    async fn archived_with_email(
        &self,
        email: &str,
        fresh: bool,
    ) -> PanelResult<Option<wire::User>> {
        if fresh {
            self.archived.invalidate_all();
        }
        let archived = self.archived_index().await?;
        Ok(archived
            .by_id
            .values()
            .find(|u| u.email.trim().eq_ignore_ascii_case(email.trim()))
            .cloned())
    }

    async fn user_model(&self, user: &wire::User, services: &[Service]) -> PanelResult<User> {
        let id = user
            .id
            .ok_or_else(|| PanelError::protocol("a panelalpha user without an id"))?;
        let service = primary_service(services);
        let plan = match service {
            Some(service) => self.plan_name(service).await?,
            None => None,
        };
        Ok(User {
            administrator: false,
            id: id.to_string(),
            login: user.email.clone(),
            email: user.email.clone(),
            name: join_name(user.first_name.as_deref(), user.last_name.as_deref()),
            plan,
            suspended: service.is_some_and(Service::is_suspended),
        })
    }

    /// An archived user as refreshes see it: still there (so a delete that stopped
    /// after archiving is finished by the next destroy), without a plan (archiving
    /// archives the services), and suspended (nobody can use it), so a configuration
    /// that still wants the user shows a change; applying it says what to do.
    fn archived_model(user: &wire::User) -> PanelResult<User> {
        let id = user
            .id
            .ok_or_else(|| PanelError::protocol("a panelalpha user without an id"))?;
        Ok(User {
            administrator: false,
            id: id.to_string(),
            login: user.email.clone(),
            email: user.email.clone(),
            name: join_name(user.first_name.as_deref(), user.last_name.as_deref()),
            plan: None,
            suspended: true,
        })
    }

    /// The user read fresh: that user and that user's services (after a change).
    async fn fresh_user(&self, id: i64) -> PanelResult<Option<User>> {
        let Some(user) = self.active_user(id).await? else {
            return Ok(None);
        };
        self.forget(Touch::Services(id));
        let services = self.own_services(id).await?;
        self.user_model(&user, &services).await.map(Some)
    }

    async fn add_service(&self, user: i64, plan_id: i64) -> PanelResult<Option<i64>> {
        let request = HttpRequest::new(Method::POST, format!("admin/users/{user}/services"))
            .json(json!({ "plan_id": plan_id }));
        let answer = self
            .write(request, None, USER_FIELDS, &[], &[Touch::Services(user)])
            .await?;
        let created: Option<Service> = serde_json::from_value(answer).ok();
        Ok(created.and_then(|s| s.id))
    }

    async fn set_service_suspended(
        &self,
        user: i64,
        service: i64,
        suspended: bool,
    ) -> PanelResult<()> {
        let action = if suspended { "suspend" } else { "unsuspend" };
        let request = HttpRequest::new(
            Method::PUT,
            format!("admin/users/{user}/services/{service}/{action}"),
        );
        self.write(request, None, USER_FIELDS, &[], &[Touch::Services(user)])
            .await
            .map(drop)
    }

    /// Apply `suspended` to the user's service; without a service only `false` holds.
    async fn apply_suspended(&self, user: i64, suspended: bool) -> PanelResult<()> {
        let services = self.own_services(user).await?;
        match primary_service(&services) {
            Some(service) if service.is_suspended() != suspended => {
                let service_id = service
                    .id
                    .ok_or_else(|| PanelError::protocol("a panelalpha service without an id"))?;
                self.set_service_suspended(user, service_id, suspended)
                    .await
            }
            Some(_) => Ok(()),
            None if suspended => Err(no_plan_to_suspend()),
            None => Ok(()),
        }
    }

    async fn change_plan(&self, user: i64, plan: &str) -> PanelResult<()> {
        let (plan_id, _) = self.plan_id(plan).await?;
        let services = self.own_services(user).await?;
        let Some(service) = primary_service(&services) else {
            return self.add_service(user, plan_id).await.map(drop);
        };
        if self.plan_name(service).await?.as_deref() == Some(plan) {
            return Ok(());
        }
        let service_id = service
            .id
            .ok_or_else(|| PanelError::protocol("a panelalpha service without an id"))?;
        let request = HttpRequest::new(
            Method::PUT,
            format!("admin/users/{user}/services/{service_id}/change-plan"),
        )
        .json(json!({ "plan_id": plan_id }));
        self.write(request, None, USER_FIELDS, &[], &[Touch::Services(user)])
            .await
            .map(drop)
    }

    /// The user with id `id` for an import: active, else an error when archived.
    async fn import_by_id(&self, id: i64) -> PanelResult<Option<User>> {
        if let Some(user) = self.active_user(id).await? {
            let services = self.own_services(id).await?;
            return self.user_model(&user, &services).await.map(Some);
        }
        match self.archived_user(id).await? {
            Some(user) => Err(archived_error(&user, ArchivedWhen::Import)),
            None => Ok(None),
        }
    }

    /// Looks `email` up; an archived holder is an error saying so (`when`).
    async fn find_by_email(&self, email: &str, when: ArchivedWhen) -> PanelResult<Option<User>> {
        let request = HttpRequest::get("admin/users/email").query("email", email);
        // An unknown email may come back as 404, as 200 with empty `data`, or `[]`.
        let found = match self.client.call(request, None, NO_FIELDS, &[]).await {
            Ok(serde_json::Value::Object(map)) if !map.is_empty() => {
                Some(serde_json::Value::Object(map))
            }
            Ok(serde_json::Value::Array(items)) => items.into_iter().next(),
            Ok(_) => None,
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        if let Some(found) = found {
            let user = decode_user("GET admin/users/email", found)?;
            if let Some(id) = user.id {
                let services = self.own_services(id).await?;
                return self.user_model(&user, &services).await.map(Some);
            }
        }
        match self.archived_with_email(email, false).await? {
            Some(archived) => Err(archived_error(&archived, when)),
            None => Ok(None),
        }
    }
}

fn no_plan_to_suspend() -> PanelError {
    PanelError::invalid(
        Some("suspended"),
        "panelalpha suspends a user's service: a user without a plan cannot be suspended",
    )
}

#[async_trait::async_trait]
impl PanelService<User> for PanelAlphaBackend {
    async fn create(&self, spec: &UserSpec) -> PanelResult<User> {
        if spec.suspended && spec.plan.is_none() {
            return Err(no_plan_to_suspend());
        }
        // Resolve the plan before creating anything, so a typo creates nothing.
        let plan = match &spec.plan {
            Some(plan) => Some(self.plan_id(plan).await?),
            None => None,
        };
        let (first_name, last_name) = split_name(&spec.name);
        let password = spec.password.expose();
        let body = UserRequest {
            first_name,
            last_name,
            email: &spec.email,
            password: Some(password),
        };
        let request = HttpRequest::new(Method::POST, "admin/users").json(to_json(&body)?);
        let created = match self
            .write(
                request,
                None,
                USER_FIELDS,
                &[password],
                &[Touch::UserRecord],
            )
            .await
        {
            Ok(answer) => decode_user("POST admin/users", answer)?,
            Err(error) if error.kind == PanelErrorKind::AlreadyExists => {
                // The email is taken; by an archived user, the fix is not an import.
                return match self.archived_with_email(&spec.email, true).await {
                    Ok(Some(archived)) => Err(archived_error(&archived, ArchivedWhen::Create)
                        .with_panel(error.panel_code.clone(), error.panel_message.clone())),
                    _ => Err(error),
                };
            }
            Err(error) => return Err(error),
        };
        let id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST admin/users: the answer has no id"))?;
        let email = if created.email.is_empty() {
            spec.email.clone()
        } else {
            created.email.clone()
        };
        let user = |plan: Option<String>, suspended: bool| User {
            administrator: false,
            id: id.to_string(),
            login: email.clone(),
            email: email.clone(),
            name: join_name(Some(first_name), Some(last_name)),
            plan,
            suspended,
        };
        let Some((plan_id, plan_name)) = plan else {
            return Ok(user(None, false));
        };
        let service = self
            .add_service(id, plan_id)
            .await
            .map_err(|e| e.with_partial(user(None, false)))?;
        if spec.suspended {
            let suspended = match service {
                Some(service) => self.set_service_suspended(id, service, true).await,
                None => self.apply_suspended(id, true).await,
            };
            suspended.map_err(|e| e.with_partial(user(Some(plan_name.clone()), false)))?;
        }
        Ok(user(Some(plan_name), spec.suspended))
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<User>> {
        let id = parse_number("id", &at.id)?;
        let users = self.user_index().await?;
        if let Some(user) = users.by_id.get(&id) {
            let services = self.services_of(id, Source::Shared).await?;
            return self.user_model(user, &services).await.map(Some);
        }
        let archived = self.archived_index().await?;
        if let Some(user) = archived.by_id.get(&id) {
            return Self::archived_model(user).map(Some);
        }
        if users.complete && archived.complete {
            return Ok(None);
        }
        // A list was cut short: ask for the one user.
        if let Some(user) = self.fresh_user(id).await? {
            return Ok(Some(user));
        }
        match self.archived_user(id).await? {
            Some(user) => Self::archived_model(&user).map(Some),
            None => Ok(None),
        }
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<User>> {
        let id = parse_number("id", &at.id)?;
        if let Some(user) = self.fresh_user(id).await? {
            return Ok(Some(user));
        }
        match self.archived_user(id).await? {
            Some(user) => Self::archived_model(&user).map(Some),
            None => Ok(None),
        }
    }

    async fn find(&self, key: &UserKey) -> PanelResult<Option<User>> {
        self.find_by_email(&key.login, ArchivedWhen::EmailLookup)
            .await
    }

    async fn list(&self, _filter: &ListFilter) -> PanelResult<Vec<User>> {
        let users = self.user_index().await?;
        let mut ids: Vec<i64> = users.by_id.keys().copied().collect();
        ids.sort_unstable();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(user) = users.by_id.get(&id) {
                let services = self.services_of(id, Source::Shared).await?;
                out.push(self.user_model(user, &services).await?);
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &UserPatch) -> PanelResult<User> {
        let id = parse_number("id", &at.id)?;
        let Some(current) = self.active_user(id).await? else {
            return Err(match self.archived_user(id).await? {
                Some(archived) => archived_error(&archived, ArchivedWhen::Update),
                None => PanelError::not_found(format!("panelalpha user {id} does not exist")),
            });
        };
        let password = patch.password.as_ref().map(|p| p.expose());
        if patch.email.is_some() || patch.name.is_some() || password.is_some() {
            let current_name =
                join_name(current.first_name.as_deref(), current.last_name.as_deref());
            let (first_name, last_name) =
                split_name(patch.name.as_deref().unwrap_or(&current_name));
            // `email` is required on PUT even when it does not change.
            let body = UserRequest {
                first_name,
                last_name,
                email: patch.email.as_deref().unwrap_or(&current.email),
                password,
            };
            let request =
                HttpRequest::new(Method::PUT, format!("admin/users/{id}")).json(to_json(&body)?);
            let secrets: Vec<&str> = password.into_iter().collect();
            self.write(request, None, USER_FIELDS, &secrets, &[Touch::UserRecord])
                .await?;
        }
        if let Some(plan) = &patch.plan {
            self.change_plan(id, plan).await?;
        }
        if let Some(suspended) = patch.suspended {
            self.apply_suspended(id, suspended).await?;
        }
        self.fresh_user(id).await?.ok_or_else(|| {
            PanelError::not_found(format!(
                "panelalpha user {id} disappeared during the update"
            ))
        })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = parse_number("id", &at.id)?;
        let gone = [Touch::UserGone(id)];
        // The vendor's own termination deletes services before the user. An archived
        // user has none left (the list answers 404 then).
        self.forget(Touch::Services(id));
        for service in self.own_services(id).await?.iter() {
            let Some(service_id) = service.id else {
                continue;
            };
            let request = HttpRequest::new(Method::DELETE, format!("admin/services/{service_id}"))
                .json(json!({ "force_termination": true }));
            ignore_not_found(self.write(request, None, NO_FIELDS, &[], &gone).await)?;
        }
        // DELETE archives (404: archived already, or gone).
        let archive = HttpRequest::new(Method::DELETE, format!("admin/users/{id}"));
        ignore_not_found(self.write(archive, None, NO_FIELDS, &[], &gone).await)?;
        // Purge the archived copy, so the email is free again (404: gone already).
        let purge = HttpRequest::new(Method::DELETE, format!("admin/users/{id}/delete"));
        ignore_not_found(self.write(purge, None, NO_FIELDS, &[], &gone).await).map_err(|e| {
            let message = format!(
                "panelalpha user {id} was archived, but purging it failed ({}). The archived \
                 user keeps its email until it is purged; it stays in the state, and the next \
                 `terraform apply` or `terraform destroy` that deletes it purges it",
                e.message.trim_end_matches('.')
            );
            PanelError { message, ..e }
        })
    }

    async fn import(&self, id: &str) -> PanelResult<Option<User>> {
        let id = id.trim();
        if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            let numeric = parse_number("id", id)?;
            return self.import_by_id(numeric).await;
        }
        self.find_by_email(id, ArchivedWhen::Import).await
    }

    fn import_id(&self, object: &User) -> String {
        object.email.clone()
    }

    fn import_format(&self) -> &'static str {
        "its email, or its numeric panel id"
    }
}
