//! [`Managed`]: the one generic resource every type is served by. See the
//! [engine docs](super) for the guarantees; this file is where they are kept.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::diag::{self, Failure};
use super::{service_of, ObjectType, TypedPlan};
use crate::framework::diag::Diagnostics;
use crate::framework::model::Model;
use crate::framework::plan::{self, PlanContext};
use crate::framework::resource::{Context, Resource, StateResult};
use crate::framework::schema::Schema;
use crate::panel::{
    cancel, Locator, PanelError, PanelErrorKind, PanelHandle, PanelObject, Service, User,
};
use crate::tfvalue::Value;
use tokio_util::sync::CancellationToken;

/// The first pause between natural-key lookups after a create whose outcome is
/// unknown; each later pause doubles, until the panel's settle time is used up.
const FIRST_LOOKUP_PAUSE: Duration = Duration::from_millis(250);

/// The resource of type `T`.
pub struct Managed<T>(PhantomData<fn() -> T>);

impl<T> Default for Managed<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T: ObjectType> Managed<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The resource schema: the model's attributes and the type's description.
    pub fn schema() -> Schema {
        T::Model::attributes()
            .into_iter()
            .fold(Schema::new(T::SCHEMA_VERSION), Schema::attribute)
            .markdown(T::description())
    }

    fn failure<'a>(action: &'a str, label: &'a str, panel: &'a PanelHandle) -> Failure<'a> {
        Failure {
            type_name: T::TYPE_NAME,
            action,
            object: label,
            panel,
            attribute_of: &T::attribute_of,
        }
    }

    /// The diagnostics of a delete that succeeded: a warning when the panel cannot
    /// remove this type's objects ([`Service::delete_leaves`]), else none.
    fn left_behind(
        service: &dyn crate::panel::Service<T::Object>,
        panel: &PanelHandle,
        label: &str,
    ) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        if let Some(note) = service.delete_leaves() {
            diagnostics.warning(
                "Removed From State Only",
                format!(
                    "`{}` {label} was removed from Terraform state, but {} cannot delete \
                     it: {note}",
                    T::TYPE_NAME,
                    diag::panel_named(panel)
                ),
            );
        }
        diagnostics
    }

    /// The state value of `object`: the type's state, never holding an unknown.
    fn state_value(panel: &PanelHandle, object: &T::Object, prior: Option<&T::Model>) -> Value {
        T::state(panel, object, prior).to_value().unknowns_to_null()
    }

    /// The "already exists" diagnostic: who has the object, and how to import it when
    /// that is safe (same owner); never an invitation to take over another owner's
    /// object, which Terraform would then plan to replace.
    fn already_exists(
        panel: &PanelHandle,
        service: &dyn Service<T::Object>,
        label: &str,
        existing: Option<&T::Object>,
        wanted_owner: Option<&str>,
        owner_login: Option<&str>,
        error: Option<&PanelError>,
    ) -> Diagnostics {
        let noun = <T::Object as PanelObject>::NOUN;
        let said = error.map(diag::panel_said).unwrap_or_default();
        let owner = existing.and_then(PanelObject::owner);
        let mut diagnostics = Diagnostics::new();
        match (existing, owner, wanted_owner) {
            (Some(_), Some(owner), Some(wanted)) if owner != wanted => diagnostics.error(
                "Panel Object Already Exists",
                format!(
                    "`{}` {label} already exists on {}, and belongs to another user ({}owner \
                     id {owner:?}, not {wanted:?}), so it was not created. Importing it here \
                     would make Terraform plan to replace it, deleting that user's {noun}. \
                     Choose another name, or manage the {noun} in the configuration of its \
                     owner.{said}",
                    T::TYPE_NAME,
                    diag::panel_named(panel),
                    owner_login
                        .map(|login| format!("{login:?}, "))
                        .unwrap_or_default(),
                ),
            ),
            (Some(existing), _, _) => {
                let owned = owner
                    .map(|owner| format!(" (owner id {owner:?})"))
                    .unwrap_or_default();
                diagnostics.error(
                    "Panel Object Already Exists",
                    format!(
                        "`{}` {label} already exists on {}{owned}, so it was not created. To \
                         manage the existing {noun} with Terraform, import it, replacing NAME \
                         with this resource's name in your configuration:\n\n{}\n\nOtherwise \
                         choose another name.{said}",
                        T::TYPE_NAME,
                        diag::panel_named(panel),
                        diag::import_instructions(T::TYPE_NAME, &service.import_id(existing)),
                    ),
                )
            }
            (None, _, _) => diagnostics.error(
                "Panel Object Already Exists",
                format!(
                    "`{}` {label} already exists on {} (the panel refused to create it), but \
                     the provider could not find it to say who has it. It may belong to \
                     another user. Choose another name, or find it in the panel and import \
                     it ({}).{said}",
                    T::TYPE_NAME,
                    diag::panel_named(panel),
                    service.import_format(),
                ),
            ),
        }
        diagnostics
    }

    async fn create_inner(
        ctx: &Context,
        panel: &PanelHandle,
        planned_value: &Value,
        config_value: &Value,
    ) -> StateResult {
        let service = match service_of::<T>(panel) {
            Ok(service) => service,
            Err(diagnostics) => return (None, diagnostics),
        };
        let planned = T::Model::from_value(planned_value);
        let config = T::Model::from_value(config_value);
        let label = T::label(&planned);
        let spec = match T::spec(panel, &planned, &config) {
            Ok(spec) => spec,
            Err(diagnostics) => return (None, diagnostics),
        };
        let key = <T::Object as PanelObject>::spec_key(&spec);
        let wanted_owner = T::locator(&planned).owner;

        // Look first: an object that exists before the create is never adopted, and
        // knowing it was not there is what lets a lost answer be recovered below.
        match service.find(&key).await {
            Ok(Some(existing)) => {
                let owner_login = owner_login(panel, existing.owner()).await;
                let diagnostics = Self::already_exists(
                    panel,
                    service,
                    &label,
                    Some(&existing),
                    wanted_owner.as_deref(),
                    owner_login.as_deref(),
                    None,
                );
                return (None, diagnostics);
            }
            Ok(None) => {}
            Err(error) => {
                return (
                    None,
                    Self::failure("create", &label, panel).diagnostics(&error),
                )
            }
        }

        match service.create(&spec).await {
            Ok(created) => {
                let (state, mut diagnostics) =
                    Self::read_back(service, panel, &created, &planned, &label).await;
                if ctx.is_cancelled() {
                    diagnostics.warning(
                        "Stop Requested During Create",
                        format!(
                            "Terraform asked the provider to stop while the create of `{}` \
                             {label} was on its way to {}. The request had been sent, so it \
                             was allowed to finish, and the new {} is recorded in state.",
                            T::TYPE_NAME,
                            diag::panel_named(panel),
                            <T::Object as PanelObject>::NOUN,
                        ),
                    );
                }
                (Some(state), diagnostics)
            }
            Err(error) if error.kind == PanelErrorKind::AlreadyExists => {
                // Someone else's object (or one created since the look above): say whose.
                let anywhere = <T::Object as PanelObject>::anywhere(&key);
                let existing = service.find(&anywhere).await.ok().flatten();
                let owner_login =
                    owner_login(panel, existing.as_ref().and_then(PanelObject::owner)).await;
                let diagnostics = Self::already_exists(
                    panel,
                    service,
                    &label,
                    existing.as_ref(),
                    wanted_owner.as_deref(),
                    owner_login.as_deref(),
                    Some(&error),
                );
                (None, diagnostics)
            }
            Err(error) if error.partial.is_some() => {
                let mut diagnostics = Self::failure("create", &label, panel).diagnostics(&error);
                let partial = error.partial::<T::Object>();
                if partial.is_some() {
                    diagnostics.error(
                        "Partially Created Object Recorded",
                        format!(
                            "The create of `{}` {label} failed after the panel had created \
                             part of it. What was created is recorded in state as tainted, so \
                             the next apply replaces it instead of leaving it behind.",
                            T::TYPE_NAME
                        ),
                    );
                }
                (
                    partial.map(|object| Self::state_value(panel, object, Some(&planned))),
                    diagnostics,
                )
            }
            Err(error) if error.may_have_taken_effect() => {
                Self::recover(
                    ctx,
                    service,
                    panel,
                    &key,
                    &error,
                    planned_value,
                    &planned,
                    &label,
                )
                .await
            }
            Err(error) => (
                None,
                Self::failure("create", &label, panel).diagnostics(&error),
            ),
        }
    }

    /// Reads the new object back (that one object, fresh); when that fails, records
    /// what the create answered rather than losing the object.
    async fn read_back(
        service: &dyn Service<T::Object>,
        panel: &PanelHandle,
        created: &T::Object,
        planned: &T::Model,
        label: &str,
    ) -> (Value, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let fresh = match service.read_back(&created.locator()).await {
            Ok(Some(fresh)) => fresh,
            Ok(None) => {
                diagnostics.warning(
                    "New Object Not Readable",
                    format!(
                        "`{}` {label} was created on {}, but reading it back right after found \
                         nothing. It is recorded in state from the panel's answer to the \
                         create; the next refresh reads it again.",
                        T::TYPE_NAME,
                        diag::panel_named(panel)
                    ),
                );
                created.clone()
            }
            Err(error) => {
                diagnostics.warning(
                    "New Object Not Read Back",
                    format!(
                        "`{}` {label} was created on {}, but reading it back failed: {}. It is \
                         recorded in state from the panel's answer to the create; the next \
                         refresh reads it again.{}",
                        T::TYPE_NAME,
                        diag::panel_named(panel),
                        error.message.trim_end_matches('.'),
                        diag::panel_said(&error)
                    ),
                );
                created.clone()
            }
        };
        (Self::state_value(panel, &fresh, Some(planned)), diagnostics)
    }

    /// The create's outcome is unknown: look the object up by its natural key for a
    /// bounded while. Found: it was not there before the create, so it is ours; record
    /// it. Not found: record it as unconfirmed (tainted, empty id) so the next refresh
    /// settles it, instead of forgetting something the panel may still commit.
    #[allow(clippy::too_many_arguments)]
    async fn recover(
        ctx: &Context,
        service: &dyn Service<T::Object>,
        panel: &PanelHandle,
        key: &<T::Object as PanelObject>::Key,
        error: &PanelError,
        planned_value: &Value,
        planned: &T::Model,
        label: &str,
    ) -> StateResult {
        let started = Instant::now();
        let mut pause = FIRST_LOOKUP_PAUSE;
        let mut lookups = 0;
        loop {
            lookups += 1;
            // The lookups are reads the recovery needs even after a stop: they run
            // outside the stop scope, and a stop only ends the wait between them.
            let found = cancel::scope(CancellationToken::new(), service.find(key)).await;
            if let Ok(Some(object)) = found {
                let mut diagnostics = Diagnostics::new();
                diagnostics.warning(
                    "Create Answer Lost, Object Recorded",
                    format!(
                        "The create of `{}` {label} on {} did not get a usable answer ({}), \
                         but the {} was found on the panel afterwards (it was not there before \
                         the create), so it is recorded in state. Nothing needs to be \
                         imported.",
                        T::TYPE_NAME,
                        diag::panel_named(panel),
                        error.message.trim_end_matches('.'),
                        <T::Object as PanelObject>::NOUN,
                    ),
                );
                let (state, read_diagnostics) =
                    Self::read_back(service, panel, &object, planned, label).await;
                diagnostics.extend(read_diagnostics);
                return (Some(state), diagnostics);
            }
            let elapsed = started.elapsed();
            if ctx.is_cancelled() || elapsed + pause > panel.settle {
                break;
            }
            tokio::time::sleep(pause).await;
            pause *= 2;
        }
        let mut state = planned_value.unknowns_to_null();
        state.set_attr("id", Value::string(""));
        let mut diagnostics = Self::failure("create", label, panel).diagnostics(error);
        diagnostics.error(
            "Create Outcome Unknown, Object Recorded As Unconfirmed",
            format!(
                "The panel may or may not have created `{}` {label}: its answer was lost, and \
                 {lookups} lookups by name over {:.1} s did not find it. So that nothing the \
                 panel created is lost, the {} is recorded in state as unconfirmed (tainted, \
                 empty `id`). The next `terraform plan` or `apply` looks it up by name: if the \
                 panel did create it, Terraform replaces it; if not, Terraform creates it. \
                 Nothing needs to be imported.",
                T::TYPE_NAME,
                started.elapsed().as_secs_f64(),
                <T::Object as PanelObject>::NOUN,
            ),
        );
        (Some(state), diagnostics)
    }

    /// An imported object whose configuration names another owner would be replaced:
    /// deleted with everything in it (a site's files, a database's data) and re-created
    /// empty under the configured owner. That is almost always a configuration that
    /// does not match the object imported, so it is refused at plan time, naming both
    /// owners, instead of being planned silently.
    async fn guard_imported_owner(plan: &mut TypedPlan<T::Model>, panel: Option<&PanelHandle>) {
        let Some(prior) = plan.prior.as_ref().filter(|_| plan.imported) else {
            return;
        };
        let (Some(from), Some(to)) = (T::locator(prior).owner, T::locator(&plan.planned).owner)
        else {
            return;
        };
        let configured_owner_known = T::locator(&plan.config).owner.is_some();
        if from == to || !configured_owner_known {
            return;
        }
        let noun = <T::Object as PanelObject>::NOUN;
        let on = panel
            .map(diag::panel_named)
            .unwrap_or_else(|| "the panel".to_owned());
        let (from_login, to_login) = match panel {
            Some(panel) => (
                owner_login(panel, Some(&from)).await,
                owner_login(panel, Some(&to)).await,
            ),
            None => (None, None),
        };
        let from_user = from_login
            .map(|login| format!("{login:?} "))
            .unwrap_or_default();
        let to_user = to_login
            .map(|login| format!(" (user {login:?})"))
            .unwrap_or_default();
        plan.diagnostics.error(
            "Imported Object Would Change Owner",
            format!(
                "`{}` {} was imported from {on}, where it belongs to the user {from_user}with \
                 id {from:?}, but the configuration says owner {to:?}{to_user}. Applying that would replace it: \
                 delete the {noun} with everything in it and create it again, empty, for the \
                 other user. If the {noun} is this configuration's, set its owner to {from:?}. \
                 If you do mean to delete it and start over for {to:?}, destroy it first \
                 (`terraform destroy -target=ADDRESS`) and apply again.",
                T::TYPE_NAME,
                T::label(prior),
            ),
        );
    }

    /// The object an unconfirmed state describes, by natural key.
    async fn find_unconfirmed(
        service: &dyn Service<T::Object>,
        panel: &PanelHandle,
        state: &T::Model,
    ) -> Result<Option<T::Object>, PanelError> {
        match T::key_of_state(panel, state) {
            Some(key) => service.find(&key).await,
            None => Ok(None),
        }
    }
}

/// The login of the user with id `owner`, when it is not the id itself and the panel
/// says (one read, only for an error message): lets a diagnostic name the owner the way
/// a person knows them, not only by a numeric id.
async fn owner_login(panel: &PanelHandle, owner: Option<&str>) -> Option<String> {
    let owner = owner?;
    let users = panel.service::<User>()?;
    let user = users.get(&Locator::new(owner)).await.ok().flatten()?;
    (user.login != owner).then_some(user.login)
}

fn is_unconfirmed(state: &Value) -> bool {
    state.get_attr("id").and_then(Value::as_str) == Some("")
}

fn panel_of(ctx: &Context) -> Result<Arc<PanelHandle>, Diagnostics> {
    ctx.provider_data::<PanelHandle>()
}

#[async_trait::async_trait]
impl<T: ObjectType> Resource for Managed<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value, diagnostics: &mut Diagnostics) {
        T::validate(&T::Model::from_value(config), diagnostics);
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut PlanContext) {
        let panel = ctx.try_provider_data::<PanelHandle>();
        if let Some(panel) = panel.as_deref() {
            if plan.is_create() {
                if let Err(diagnostics) = service_of::<T>(panel) {
                    plan.diagnostics.extend(diagnostics);
                    return;
                }
            }
        }
        let mut typed = TypedPlan::<T::Model>::from_context(plan);
        T::plan(panel.as_deref(), &mut typed);
        if let Some(panel) = panel.as_deref() {
            if !typed.diagnostics.has_errors() {
                T::plan_with_panel(panel, &mut typed).await;
            }
        }
        Self::guard_imported_owner(&mut typed, panel.as_deref()).await;
        typed.write_back(plan);
    }

    async fn create(&self, ctx: &Context, planned: &Value, config: &Value) -> StateResult {
        let panel = match panel_of(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return (None, diagnostics),
        };
        if ctx.is_cancelled() {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Operation Cancelled",
                format!(
                    "Terraform asked the provider to stop before the create of `{}` {} was \
                     started, so nothing was sent to {}.",
                    T::TYPE_NAME,
                    T::label(&T::Model::from_value(planned)),
                    diag::panel_named(&panel)
                ),
            );
            return (None, diagnostics);
        }
        let stop = ctx.cancellation().clone();
        cancel::scope(stop, Self::create_inner(ctx, &panel, planned, config)).await
    }

    async fn read(&self, ctx: &Context, state: &Value) -> StateResult {
        let panel = match panel_of(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return (None, diagnostics),
        };
        let service = match service_of::<T>(&panel) {
            Ok(service) => service,
            Err(diagnostics) => return (None, diagnostics),
        };
        let prior = T::Model::from_value(state);
        let label = T::label(&prior);
        let found = if is_unconfirmed(state) {
            Self::find_unconfirmed(service, &panel, &prior).await
        } else {
            service.get(&T::locator(&prior)).await
        };
        match found {
            Ok(Some(object)) => (
                Some(Self::state_value(&panel, &object, Some(&prior))),
                Diagnostics::new(),
            ),
            Ok(None) => (None, Diagnostics::new()),
            Err(error) if error.is_not_found() => (None, Diagnostics::new()),
            Err(error) => (
                None,
                Self::failure("read", &label, &panel).diagnostics(&error),
            ),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        prior_value: &Value,
        planned_value: &Value,
        config_value: &Value,
    ) -> StateResult {
        let panel = match panel_of(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return (None, diagnostics),
        };
        let service = match service_of::<T>(&panel) {
            Ok(service) => service,
            Err(diagnostics) => return (None, diagnostics),
        };
        let prior = T::Model::from_value(prior_value);
        let planned = T::Model::from_value(planned_value);
        let config = T::Model::from_value(config_value);
        let label = T::label(&planned);
        let deferred = plan::replace_deferred(&Self::schema().block, prior_value, planned_value);
        if !deferred.is_empty() {
            let mut diagnostics = Diagnostics::new();
            let attributes = deferred
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ");
            diagnostics.error(
                "Replacement Needed",
                format!(
                    "{attributes} of `{}` {label} changed to a value that was not known when \
                     the plan was made, and such a change replaces the object. It was not \
                     replaced on a guess: run `terraform apply` again, and the plan will show \
                     the replacement with the value known. Nothing was changed on {}.",
                    T::TYPE_NAME,
                    diag::panel_named(&panel)
                ),
            );
            return (None, diagnostics);
        }
        let patch = match T::patch(&panel, &prior, &planned, &config) {
            Ok(patch) => patch,
            Err(diagnostics) => return (None, diagnostics),
        };
        let stop = ctx.cancellation().clone();
        // Called even with an empty patch: the new state must come from the panel.
        let updated = cancel::scope(stop, service.update(&T::locator(&prior), &patch)).await;
        match updated {
            Ok(object) => (
                Some(Self::state_value(&panel, &object, Some(&planned))),
                Diagnostics::new(),
            ),
            Err(error) => (
                None,
                Self::failure("update", &label, &panel).diagnostics(&error),
            ),
        }
    }

    async fn delete(&self, ctx: &Context, prior_value: &Value) -> Diagnostics {
        let panel = match panel_of(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return diagnostics,
        };
        let service = match service_of::<T>(&panel) {
            Ok(service) => service,
            Err(diagnostics) => return diagnostics,
        };
        let prior = T::Model::from_value(prior_value);
        let label = T::label(&prior);
        let stop = ctx.cancellation().clone();
        let deleted = cancel::scope(stop, async {
            let at = if is_unconfirmed(prior_value) {
                match Self::find_unconfirmed(service, &panel, &prior).await? {
                    Some(object) => object.locator(),
                    None => return Ok(()),
                }
            } else {
                T::locator(&prior)
            };
            service.delete(&at).await
        })
        .await;
        match deleted {
            Ok(()) => Self::left_behind(service, &panel, &label),
            Err(error) if error.is_not_found() => Self::left_behind(service, &panel, &label),
            Err(error) => Self::failure("delete", &label, &panel).diagnostics(&error),
        }
    }

    async fn import(&self, ctx: &Context, id: &str) -> (Vec<Value>, Diagnostics) {
        let panel = match panel_of(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return (Vec::new(), diagnostics),
        };
        let service = match service_of::<T>(&panel) {
            Ok(service) => service,
            Err(diagnostics) => return (Vec::new(), diagnostics),
        };
        let id = id.trim();
        let noun = <T::Object as PanelObject>::NOUN;
        match service.import(id).await {
            Ok(Some(object)) => (
                vec![Self::state_value(&panel, &object, None)],
                Diagnostics::new(),
            ),
            Ok(None) => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Cannot Import Non-Existent Remote Object",
                    format!(
                        "No {noun} {id:?} exists on {}. Import a `{}` there as {}.",
                        diag::panel_named(&panel),
                        T::TYPE_NAME,
                        service.import_format()
                    ),
                );
                (Vec::new(), diagnostics)
            }
            Err(error) => {
                let label = format!("{noun} {id:?}");
                (
                    Vec::new(),
                    Self::failure("import", &label, &panel).diagnostics(&error),
                )
            }
        }
    }
}
