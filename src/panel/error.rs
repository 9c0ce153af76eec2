//! Typed errors every panel backend produces. The resource layer branches on
//! [`PanelErrorKind`]; everything else is context for the person reading it.

use std::any::Any;
use std::sync::Arc;

use super::service::PanelObject;

/// What went wrong, in terms the resource layer can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PanelErrorKind {
    /// The object does not exist (Read removes it from state; Delete treats it as done).
    NotFound,
    /// Create collided with an existing object: the diagnostic points to import.
    AlreadyExists,
    /// The panel rejected a value. `field` is the neutral model's field name
    /// (e.g. `"email"`, `"name"`), when the panel's answer lets us tell which.
    InvalidInput { field: Option<String> },
    /// The configured panel cannot do this at all.
    Unsupported,
    /// Credentials rejected, or the API is disabled / the client IP not allowed.
    Auth,
    /// The panel asked us to slow down (429 or its own rate limit).
    RateLimited,
    /// A failure worth retrying later (5xx, timeouts on idempotent reads).
    Temporary,
    /// The panel answered something we could not understand.
    Protocol,
    /// The request never got an answer (connection refused, TLS, DNS, timeout).
    Transport,
    /// Terraform asked the provider to stop before the request was sent: nothing was
    /// sent, so nothing changed.
    Cancelled,
}

/// Whether a failed request may still have changed the panel. The resource engine
/// looks a create up by its natural key when the effect is unknown, instead of
/// reporting a failure for an object that may exist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing changed: the panel answered and refused, or the request never left
    /// (connection refused, DNS, TLS before sending, 429).
    None,
    /// The answer was lost or unreadable (timeout, connection closed after sending,
    /// 5xx, a page that is not the API's answer): the panel may have done it.
    Unknown,
}

/// An object a multi-step create left behind before it failed, so the resource layer
/// can still record it in state. Type-erased so that every object type can be carried;
/// [`PanelError::partial`] gives it back typed.
#[derive(Clone)]
pub struct PartialObject(Arc<dyn Any + Send + Sync>);

impl std::fmt::Debug for PartialObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartialObject(..)")
    }
}

/// A panel error: its kind, a lowercase message that chains, and the panel's own
/// code/message where there is one. Never contains a secret.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct PanelError {
    pub kind: PanelErrorKind,
    pub message: String,
    /// The panel's own error code (Hestia exit code, Plesk errcode, HTTP status).
    pub panel_code: Option<String>,
    /// The panel's own error text, verbatim (secrets scrubbed).
    pub panel_message: Option<String>,
    /// Set when a multi-step create failed after creating something.
    pub partial: Option<PartialObject>,
    /// Whether the failed request may have taken effect on the panel.
    pub effect: Effect,
}

impl PanelError {
    /// A new error. Its [`Effect`] follows from the kind: transport, temporary and
    /// protocol failures may have taken effect; every other kind is the panel's refusal.
    pub fn new(kind: PanelErrorKind, message: impl Into<String>) -> Self {
        let effect = match kind {
            PanelErrorKind::Transport | PanelErrorKind::Temporary | PanelErrorKind::Protocol => {
                Effect::Unknown
            }
            _ => Effect::None,
        };
        Self {
            kind,
            message: message.into(),
            panel_code: None,
            panel_message: None,
            partial: None,
            effect,
        }
    }

    /// Marks the failure as certainly without effect (the request never reached the
    /// panel, or the panel said it did nothing).
    pub fn nothing_done(mut self) -> Self {
        self.effect = Effect::None;
        self
    }

    /// Marks the failure as possibly applied on the panel (the answer was lost).
    pub fn maybe_done(mut self) -> Self {
        self.effect = Effect::Unknown;
        self
    }

    /// Whether the panel may have carried out the failed request.
    pub fn may_have_taken_effect(&self) -> bool {
        self.effect == Effect::Unknown
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(PanelErrorKind::NotFound, message)
    }

    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(PanelErrorKind::AlreadyExists, message)
    }

    pub fn invalid(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(
            PanelErrorKind::InvalidInput {
                field: field.map(str::to_owned),
            },
            message,
        )
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(PanelErrorKind::Unsupported, message)
    }

    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(PanelErrorKind::Protocol, message)
    }

    pub fn transport(message: impl Into<String>) -> Self {
        Self::new(PanelErrorKind::Transport, message)
    }

    pub fn with_panel(mut self, code: Option<String>, message: Option<String>) -> Self {
        self.panel_code = code;
        self.panel_message = message;
        self
    }

    /// Records that a multi-step create left `object` behind.
    pub fn with_partial<O: PanelObject>(mut self, object: O) -> Self {
        self.partial = Some(PartialObject(Arc::new(object)));
        self
    }

    /// The object a multi-step create left behind, if it is an `O`.
    pub fn partial<O: PanelObject>(&self) -> Option<&O> {
        self.partial.as_ref().and_then(|p| p.0.downcast_ref::<O>())
    }

    /// Nothing was sent because Terraform asked the provider to stop.
    pub fn cancelled() -> Self {
        Self::new(
            PanelErrorKind::Cancelled,
            "not sent: Terraform asked the provider to stop",
        )
    }

    pub fn is_not_found(&self) -> bool {
        self.kind == PanelErrorKind::NotFound
    }
}

pub type PanelResult<T> = Result<T, PanelError>;
