//! [`TypedPlan`]: the plan a type's `plan` hook sees, as typed models.

use crate::framework::diag::Diagnostics;
use crate::framework::model::{Field, Model};
use crate::framework::plan::PlanContext;
use crate::tfvalue::AttributePath;

/// Prior state, configuration and plan as models. The hook changes `planned`, adds
/// replace-forcing paths with [`require_replace`](Self::require_replace), and reports
/// problems in `diagnostics`.
#[derive(Debug)]
pub struct TypedPlan<M: Model> {
    /// `None` when the object is being created.
    pub prior: Option<M>,
    /// The configuration (may hold unknowns); write-only values live here.
    pub config: M,
    pub planned: M,
    pub diagnostics: Diagnostics,
    replace: Vec<AttributePath>,
    planned_before: M,
}

impl<M: Model> TypedPlan<M> {
    pub fn from_context(plan: &PlanContext) -> Self {
        let planned = M::from_value(&plan.planned);
        Self {
            prior: plan.prior.as_ref().map(M::from_value),
            config: M::from_value(&plan.config),
            planned_before: planned.clone(),
            planned,
            diagnostics: Diagnostics::new(),
            replace: Vec::new(),
        }
    }

    /// Writes what the hook changed back into the server's plan.
    pub fn write_back(self, plan: &mut PlanContext) {
        self.planned
            .write_changes(&self.planned_before, &mut plan.planned);
        for path in self.replace {
            plan.require_replace(path);
        }
        plan.diagnostics.extend(self.diagnostics);
    }

    pub fn is_create(&self) -> bool {
        self.prior.is_none()
    }

    /// Replace the object because of a change at `attribute` (ignored on create).
    pub fn require_replace(&mut self, attribute: &str) {
        let path = AttributePath::root(attribute);
        if !self.is_create() && !self.replace.contains(&path) {
            self.replace.push(path);
        }
    }

    /// The prior state's value of a field (null on create).
    pub fn prior_field<T: Clone>(&self, field: impl Fn(&M) -> &Field<T>) -> Field<T> {
        self.prior
            .as_ref()
            .map_or(Field::Null, |prior| field(prior).clone())
    }

    /// Whether the plan changes a field against the prior state (always on create).
    pub fn changes<T: PartialEq>(&self, field: impl Fn(&M) -> &Field<T>) -> bool {
        match &self.prior {
            None => true,
            Some(prior) => field(prior) != field(&self.planned),
        }
    }

    /// Whether the configuration sets a field to a known value that differs from the
    /// prior state (on create: sets it at all).
    pub fn configures_change<T: PartialEq>(&self, field: impl Fn(&M) -> &Field<T>) -> bool {
        let configured = field(&self.config);
        configured.is_known()
            && self
                .prior
                .as_ref()
                .is_none_or(|prior| field(prior) != configured)
    }

    pub fn error_at(&mut self, attribute: &str, summary: &str, detail: impl Into<String>) {
        self.diagnostics
            .error_at(AttributePath::root(attribute), summary, detail);
    }
}
