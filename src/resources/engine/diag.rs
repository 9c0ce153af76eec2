//! The one mapping from panel errors to diagnostics, used by every resource and data
//! source: a Title Case summary by error kind; a detail that names the Terraform type,
//! the object, the attribute to blame, the panel (type and endpoint), says what to do,
//! and ends with the panel's own code and message.

use crate::framework::diag::Diagnostics;
use crate::panel::{PanelError, PanelErrorKind, PanelHandle};
use crate::tfvalue::AttributePath;

/// What was being done when the panel failed, to what.
pub struct Failure<'a> {
    /// `panel_user`, or `data.panel_user` for data sources.
    pub type_name: &'a str,
    /// "create", "read", "update", "delete", "import", "look up", "list".
    pub action: &'a str,
    /// How the object is named to the reader, e.g. `user "alice"`.
    pub object: &'a str,
    /// The panel the call went to.
    pub panel: &'a PanelHandle,
    /// Maps the panel model's field names to attribute names (e.g. `password` to
    /// `password_wo`); fields that map to nothing get no attribute path.
    pub attribute_of: &'a dyn Fn(&str) -> Option<&'static str>,
}

impl Failure<'_> {
    /// The error diagnostic for `error`.
    pub fn diagnostics(&self, error: &PanelError) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let attribute = match &error.kind {
            PanelErrorKind::InvalidInput { field: Some(field) } => (self.attribute_of)(field),
            _ => None,
        };
        let (summary, advice) = summary_and_advice(self.action, error);
        let on_attribute = attribute
            .map(|name| format!(" (attribute `{name}`)"))
            .unwrap_or_default();
        let detail = format!(
            "Could not {} `{}` {}{on_attribute} on {}: {}. {advice}{}",
            self.action,
            self.type_name,
            self.object,
            panel_named(self.panel),
            error.message.trim_end_matches('.'),
            panel_said(error)
        );
        match attribute {
            Some(name) => diagnostics.error_at(AttributePath::root(name), summary, detail),
            None => diagnostics.error(summary, detail),
        }
        diagnostics
    }
}

/// "the `hestia` panel at https://host:8083".
pub fn panel_named(panel: &PanelHandle) -> String {
    if panel.endpoint.is_empty() {
        format!("the `{}` panel", panel.name())
    } else {
        format!("the `{}` panel at {}", panel.name(), panel.endpoint)
    }
}

fn summary_and_advice(action: &str, error: &PanelError) -> (&'static str, &'static str) {
    match &error.kind {
        PanelErrorKind::NotFound if action == "create" => (
            "Panel Object Not Found",
            "Something the new object refers to does not exist on the panel; check the \
             referenced owner, domain or parent.",
        ),
        PanelErrorKind::NotFound => (
            "Panel Object Not Found",
            "The object or one it depends on does not exist on the panel (it may have been \
             removed outside Terraform); run `terraform plan` to see what the panel holds.",
        ),
        PanelErrorKind::AlreadyExists => (
            "Panel Object Already Exists",
            "Import the existing object instead of creating it, or choose another name.",
        ),
        PanelErrorKind::InvalidInput { .. } => (
            "Panel Rejected A Value",
            "Correct the value in the configuration and apply again.",
        ),
        PanelErrorKind::Unsupported => (
            "Not Supported By This Panel",
            "Remove the setting or manage it in the panel itself.",
        ),
        PanelErrorKind::Auth => (
            "Panel Authentication Failed",
            "Check the provider's credentials, that the API is enabled for them, and that \
             this machine's IP address is allowed to use it.",
        ),
        PanelErrorKind::RateLimited => (
            "Panel Rate Limit Reached",
            "The panel asked to slow down and did nothing; apply again in a moment, or lower \
             `max_concurrent_requests`.",
        ),
        PanelErrorKind::Temporary => (
            "Panel Temporarily Unavailable",
            "Apply again later; if it persists, check the panel's health.",
        ),
        PanelErrorKind::Protocol => (
            "Unexpected Panel Answer",
            "The panel answered something the provider does not understand; check that the \
             provider's `type` and `endpoint` point at the panel's API and that its version \
             is supported, and report it if they do.",
        ),
        PanelErrorKind::Transport => (
            "Panel Unreachable",
            "Check the provider's `endpoint`, the network, and the panel's TLS certificate.",
        ),
        PanelErrorKind::Cancelled => (
            "Operation Cancelled",
            "Terraform asked the provider to stop before this request was sent, so nothing \
             was changed on the panel.",
        ),
    }
}

/// " The panel said: [code] message" when the panel gave either.
pub fn panel_said(error: &PanelError) -> String {
    match (&error.panel_code, &error.panel_message) {
        (Some(code), Some(message)) => format!(" The panel said: [{code}] {message}"),
        (Some(code), None) => format!(" The panel's error code: {code}."),
        (None, Some(message)) => format!(" The panel said: {message}"),
        (None, None) => String::new(),
    }
}

/// The import instructions for `import_id`, as a `terraform import` command and an
/// `import {}` block.
pub fn import_instructions(type_name: &str, import_id: &str) -> String {
    let quoted = import_id.replace('\\', "\\\\").replace('"', "\\\"");
    let shell = import_id.replace('\'', "'\\''");
    format!(
        "  terraform import {type_name}.NAME '{shell}'\n\nor add this block and run \
         `terraform apply`:\n\n  import {{\n    to = {type_name}.NAME\n    id = \"{quoted}\"\n  }}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::fake::FakePanel;
    use std::sync::Arc;

    #[test]
    fn errors_name_type_object_attribute_panel_and_end_with_the_panels_words() {
        let panel = PanelHandle::new(Arc::new(FakePanel::default()));
        let failure = Failure {
            type_name: "panel_user",
            action: "create",
            object: "user \"alice\"",
            panel: &panel,
            attribute_of: &|field| (field == "password").then_some("password_wo"),
        };
        let error = PanelError::invalid(Some("password"), "too short")
            .with_panel(Some("2".into()), Some("Error: bad password".into()));
        let diagnostics = failure.diagnostics(&error);
        let diagnostic = &diagnostics.0[0];
        assert_eq!(diagnostic.summary, "Panel Rejected A Value");
        assert_eq!(
            diagnostic.attribute,
            Some(AttributePath::root("password_wo"))
        );
        assert!(diagnostic.detail.contains("`panel_user` user \"alice\""));
        assert!(diagnostic.detail.contains("the `hestia` panel"));
        assert!(diagnostic
            .detail
            .ends_with("The panel said: [2] Error: bad password"));
        let import = import_instructions("panel_user", "o'neil");
        assert!(import.contains("terraform import panel_user.NAME 'o'\\''neil'"));
        assert!(import.contains("id = \"o'neil\""));
    }
}
