//! Plesk REST API v2 request and response bodies, as the OpenAPI document
//! (`reference/plesk/rest/openapi.json`) declares them. Responses are read leniently:
//! fields the spec marks required still default when absent, unknown keys are ignored,
//! and ids are accepted as numbers or numeric strings.

use serde::{Deserialize, Serialize};

use crate::backends::rest::lenient_id;

/// `POST /clients` → 201, and `PUT`/`DELETE /clients/{id}`, `/domains/{id}` → 200.
#[derive(Debug, Deserialize)]
pub struct CreatedResponse {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
}

/// `GET /server` (only used as a cheap authenticated probe).
#[derive(Debug, Deserialize)]
pub struct ServerMeta {
    #[serde(default)]
    pub panel_version: Option<String>,
}

/// `GET /server/ips` item.
#[derive(Debug, Deserialize)]
pub struct ServerIp {
    #[serde(default)]
    pub ipv4: Option<String>,
    #[serde(default)]
    pub ipv6: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `GET /clients`, `GET /clients/{id}`, `GET /domains/{id}/client`.
#[derive(Debug, Deserialize)]
pub struct Client {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub email: String,
    /// 0 active | 16 disabled by admin | 4 under backup/restore | 256 expired.
    #[serde(default)]
    pub status: i64,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `POST /clients` (`ClientRequest`: name, login, password, email, type required).
#[derive(Serialize)]
pub struct ClientRequest<'a> {
    pub name: &'a str,
    pub login: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub status: i64,
}

/// `PUT /clients/{id}` (`ClientUpdateRequest`: a partial update, nothing required).
#[derive(Serialize, Default)]
pub struct ClientUpdateRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a str>,
}

impl ClientUpdateRequest<'_> {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.password.is_none()
    }
}

/// `GET /domains`, `/domains/{id}`, `/clients/{id}/domains` item (`DomainResponse`).
#[derive(Clone, Debug, Deserialize)]
pub struct DomainResponse {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub ascii_name: Option<String>,
    /// The subscription an addon domain / subdomain belongs to. For a subscription
    /// itself the spec does not say (0, null or its own id are all treated as "none").
    #[serde(default, deserialize_with = "lenient_id")]
    pub base_domain_id: Option<i64>,
    #[serde(default)]
    pub www_root: Option<String>,
    #[serde(default)]
    pub guid: Option<String>,
}

/// `DomainReference`: the spec marks id, name and guid required although a reference
/// needs only one; we send every one we know.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DomainReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
}

impl DomainReference {
    pub fn of(domain: &DomainResponse) -> Self {
        Self {
            id: domain.id,
            name: Some(
                domain
                    .ascii_name
                    .clone()
                    .unwrap_or_else(|| domain.name.clone()),
            ),
            guid: domain.guid.clone(),
        }
    }
}

#[derive(Serialize)]
pub struct OwnerClientReference {
    pub id: i64,
}

/// `DomainRequest.hosting_settings` for physical hosting. A create sends both; an
/// update sends only what changes (the login is not readable through the REST API, so
/// a password change must not restate it).
#[derive(Serialize, Default)]
pub struct HostingSettings<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ftp_login: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ftp_password: Option<&'a str>,
}

/// `POST /domains` and `PUT /domains/{id}` (`DomainRequest`; nothing marked required).
#[derive(Serialize, Default)]
pub struct DomainRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosting_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hosting_settings: Option<HostingSettings<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_domain: Option<DomainReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_domain: Option<DomainReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner_client: Option<OwnerClientReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_addresses: Option<Vec<String>>,
}

/// `POST /databases` answer and `GET /databases` item (`Database`; nothing required).
#[derive(Clone, Debug, Deserialize)]
pub struct Database {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub parent_domain: Option<i64>,
    #[serde(default, deserialize_with = "lenient_id")]
    pub default_user_id: Option<i64>,
}

/// `POST /databases` (`DatabaseRequest`).
#[derive(Serialize)]
pub struct DatabaseRequest<'a> {
    pub name: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub parent_domain: DomainReference,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_id: Option<i64>,
}

/// `GET /dbusers` item and `POST /dbusers` answer (`DatabaseUser`; no password).
#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseUser {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub login: String,
    #[serde(default, deserialize_with = "lenient_id")]
    pub database_id: Option<i64>,
}

/// `POST /dbusers` (`DatabaseUserRequest`): `database_id` gives access to one database.
#[derive(Serialize)]
pub struct DatabaseUserRequest<'a> {
    pub login: &'a str,
    pub password: &'a str,
    pub parent_domain: DomainReference,
    pub database_id: i64,
}

/// `PUT /dbusers/{id}` (`DatabaseUserUpdateRequest`).
#[derive(Serialize)]
pub struct DatabaseUserUpdateRequest<'a> {
    pub login: &'a str,
    pub password: &'a str,
}

/// `GET /dbservers` item.
#[derive(Clone, Debug, Deserialize)]
pub struct DatabaseServer {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub is_default: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_examples() {
        // Values are the spec's schema examples.
        let client: Client = serde_json::from_str(
            r#"{"id":7,"created":"2016-11-13","name":"John Smith","company":"Plesk","login":"john-unit-test",
                "status":0,"email":"john_smith@msn.com","locale":"en-US","guid":"18b78dd1-2b43-44f7-9599-56ccb56a85dc",
                "owner_login":"admin","external_id":"link:12345","description":"Nice guy","type":"reseller"}"#,
        )
        .unwrap();
        assert_eq!(
            (client.id, client.login.as_str(), client.status),
            (Some(7), "john-unit-test", 0)
        );

        let domain: DomainResponse = serde_json::from_str(
            r#"{"id":7,"name":"example.com","ascii_name":"ascii-example.com","hosting_type":"virtual","base_domain_id":3,
                "www_root":"/var/www/vhosts/example.com/httpdocs","guid":"b623e93d-dc72-4102-b5f0-ded427cf0fb1",
                "created":"2016-11-13","aliases":[]}"#,
        )
        .unwrap();
        assert_eq!(domain.base_domain_id, Some(3));
        assert_eq!(domain.ascii_name.as_deref(), Some("ascii-example.com"));

        let db: Database = serde_json::from_str(
            r#"{"id":2,"name":"exampledb","type":"mysql","parent_domain":3,"server_id":1,"default_user_id":6}"#,
        )
        .unwrap();
        assert_eq!(
            (db.id, db.parent_domain, db.default_user_id),
            (Some(2), Some(3), Some(6))
        );

        let created: CreatedResponse =
            serde_json::from_str(r#"{"id":100,"guid":"18b78dd1-2b43-44f7-9599-56ccb56a85dc"}"#)
                .unwrap();
        assert_eq!(created.id, Some(100));
    }

    #[test]
    fn ids_as_strings_or_null_are_tolerated() {
        let user: DatabaseUser =
            serde_json::from_str(r#"{"id":"5","login":"u","database_id":null}"#).unwrap();
        assert_eq!((user.id, user.database_id), (Some(5), None));
    }

    #[test]
    fn domain_request_omits_unset_fields() {
        let body = serde_json::to_value(DomainRequest {
            ip_addresses: Some(vec!["203.0.113.10".into()]),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(body, serde_json::json!({"ip_addresses": ["203.0.113.10"]}));
    }
}

/// `GET /ftpusers` item (`FtpUser`). `home` is the directory below the subscription's
/// home the account is confined to (`/httpdocs`).
#[derive(Clone, Debug, Deserialize)]
pub struct FtpUser {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub home: String,
    /// The domain the account was created for (its id).
    #[serde(default, deserialize_with = "lenient_id")]
    pub parent_domain: Option<i64>,
}

/// `POST /ftpusers` (`FtpUserRequest`).
#[derive(Serialize)]
pub struct FtpUserRequest<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub home: String,
    pub parent_domain: DomainReference,
}

/// `PUT /ftpusers/{name}` (`FtpUserUpdateRequest`: a partial update).
#[derive(Serialize, Default)]
pub struct FtpUserUpdateRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
}
