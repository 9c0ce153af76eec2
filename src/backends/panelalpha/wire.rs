//! PanelAlpha request and response bodies. The reference documents request fields
//! only; response fields come from the vendor's WHMCS client and integration template
//! (see `reference/panelalpha/README.md`), so every response field is optional and
//! unknown keys are ignored. Envelopes (`{"data": ...}` or a bare value) are removed by
//! the client before these types are decoded.

use serde::{Deserialize, Serialize};

use crate::backends::rest::lenient_id;

/// `GET/POST/PUT api/admin/users[/{id}]` (vendor client reads id, email, first_name,
/// last_name, company_name).
#[derive(Clone, Debug, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

/// `POST api/admin/users` and `PUT api/admin/users/{id}` (email is required on both).
#[derive(Serialize)]
pub struct UserRequest<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a str>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PlanRef {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: Option<String>,
}

/// `GET api/admin/plans` item.
#[derive(Clone, Debug, Deserialize)]
pub struct Plan {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: String,
}

/// A service (a plan provisioned for a user): `GET api/admin/users/{id}/services` item.
#[derive(Clone, Debug, Deserialize)]
pub struct Service {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub user_id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub plan_id: Option<i64>,
    #[serde(default)]
    pub plan: Option<PlanRef>,
    /// `"active"` / `"suspended"` (vendor client); other values are read as "not
    /// suspended" unless they mark the service as gone.
    #[serde(default)]
    pub status: Option<String>,
    /// The hosting accounts the service provisioned (vendor client: `id`, `username`,
    /// `domain`). `None` when the answer does not carry the field at all, which is not
    /// the same as "no account yet".
    #[serde(default)]
    pub server_accounts: Option<Vec<ServerAccount>>,
}

impl Service {
    /// Archived or terminated services no longer count as the user's plan.
    pub fn is_live(&self) -> bool {
        !matches!(
            self.status
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("archived" | "terminated" | "cancelled" | "deleted")
        )
    }

    pub fn is_suspended(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("suspended"))
    }
}

/// `GET api/server-accounts` item (a hosting account), and an item of a service's
/// `server_accounts`.
#[derive(Clone, Debug, Deserialize)]
pub struct ServerAccount {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    /// The account's main domain.
    #[serde(default)]
    pub domain: Option<String>,
    /// The account's system username; MySQL names get `<username>_` in front.
    #[serde(default)]
    pub username: Option<String>,
}

/// `GET api/server-accounts/{id}/domains` item (integration template shape).
#[derive(Clone, Debug, Deserialize)]
pub struct DomainItem {
    #[serde(default, alias = "name")]
    pub domain: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub parent_domain: Option<String>,
    #[serde(default)]
    pub document_root: Option<String>,
    #[serde(default)]
    pub php_version: Option<String>,
}

/// `POST api/server-accounts/{id}/domains`.
#[derive(Serialize)]
pub struct DomainRequest<'a> {
    pub domain: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_domain: Option<&'a str>,
}

/// `GET api/server-accounts/{id}/mysql/databases` item (`{"database": .., "disk_usage": ..}`).
#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseItem {
    #[serde(default, alias = "name")]
    pub database: String,
}

/// `GET api/server-accounts/{id}/mysql/users` item (`{"user": .., "databases": [..]}`).
#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseUserItem {
    #[serde(default, alias = "name")]
    pub user: String,
    #[serde(default)]
    pub databases: Vec<String>,
}

/// `POST api/server-accounts/{id}/mysql/users`.
#[derive(Serialize)]
pub struct DatabaseUserRequest<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub database: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_shapes() {
        let service: Service = serde_json::from_str(
            r#"{"id":5,"user_id":12,"user_email":"a@b.c","plan_id":3,"plan":{"id":3,"name":"Basic","server_type":"cpanel"},
                "status":"suspended","is_trial":false,"server_accounts":[{"id":8,"username":"ab","domain":"ab.com"}]}"#,
        )
        .unwrap();
        assert!(service.is_suspended() && service.is_live());
        assert_eq!(service.plan.and_then(|p| p.name).as_deref(), Some("Basic"));

        let domain: DomainItem = serde_json::from_str(
            r#"{"domain":"example.com","type":"main","document_root":"/public_html","redirect_enabled":false,"redirect_url":null,"aliases":[]}"#,
        )
        .unwrap();
        assert_eq!(
            (domain.domain.as_str(), domain.kind.as_deref()),
            ("example.com", Some("main"))
        );

        let db: DatabaseItem =
            serde_json::from_str(r#"{"database":"user_wordpress","disk_usage":12345}"#).unwrap();
        assert_eq!(db.database, "user_wordpress");
        let user: DatabaseUserItem =
            serde_json::from_str(r#"{"user":"user_wp","databases":["user_wordpress"]}"#).unwrap();
        assert_eq!(user.databases, vec!["user_wordpress".to_owned()]);
    }

    #[test]
    fn archived_services_do_not_count() {
        let service: Service = serde_json::from_str(r#"{"id":1,"status":"archived"}"#).unwrap();
        assert!(!service.is_live());
    }
}
