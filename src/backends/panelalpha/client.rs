//! Raw HTTP for PanelAlpha (`{endpoint}/api/...`) over the shared transport
//! ([`crate::backends::http`]): bearer token on every call, the `X-PanelAlpha-User`
//! header on user endpoints, envelope removal and pagination.
//!
//! Undocumented, handled defensively (assumptions from the vendor client and Laravel):
//! success bodies may be `{"data": X}` or a bare `X`, and an empty body (204) is `null`;
//! lists may be Laravel pages (`{"data": [...], "meta": {"last_page": n}}`), so lists are
//! requested with `per_page=100` and further pages are fetched while `meta` says so.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{parse_error, FieldMap};
pub(crate) use crate::backends::rest::RestRequest as HttpRequest;
use crate::backends::rest::{RestAuth, RestClient};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult};

/// A runaway `last_page` must not turn one read into thousands of requests.
const MAX_PAGES: u64 = 50;
const PER_PAGE: &str = "100";

#[derive(Debug)]
pub struct PanelAlphaClient {
    http: RestClient,
}

impl PanelAlphaClient {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let Credentials::Token(token) = &config.credentials else {
            return Err(PanelError::invalid(
                Some("credentials"),
                "panelalpha needs an API token",
            ));
        };
        Ok(Self {
            http: RestClient::new(config, "/api", RestAuth::Bearer(token.clone()))?,
        })
    }

    /// Send; return the success body without its `data` envelope (`Null` when empty).
    pub(crate) async fn call(
        &self,
        request: HttpRequest,
        as_user: Option<i64>,
        fields: FieldMap,
        secrets: &[&str],
    ) -> PanelResult<Value> {
        let request = match as_user {
            Some(user) => request.header("x-panelalpha-user", user.to_string()),
            None => request,
        };
        let response = self.http.send(&request).await?;
        if !response.is_success() {
            return Err(parse_error(
                response.status,
                &response.body,
                fields,
                secrets,
            ));
        }
        parse_body(&request.describe(), &response.body).map(unwrap_data)
    }

    pub(crate) async fn call_as<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
        as_user: Option<i64>,
        fields: FieldMap,
        secrets: &[&str],
    ) -> PanelResult<T> {
        let what = request.describe();
        let value = self.call(request, as_user, fields, secrets).await?;
        serde_json::from_value(value)
            .map_err(|e| PanelError::protocol(format!("{what}: unexpected answer: {e}")))
    }

    /// GET every page of a list.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        as_user: Option<i64>,
    ) -> PanelResult<Vec<T>> {
        let mut items = Vec::new();
        let mut page = 1;
        loop {
            let mut request = HttpRequest::get(path).query("per_page", PER_PAGE);
            if page > 1 {
                request = request.query("page", page.to_string());
            }
            if let Some(user) = as_user {
                request = request.header("x-panelalpha-user", user.to_string());
            }
            let response = self.http.send(&request).await?;
            if !response.is_success() {
                return Err(parse_error(response.status, &response.body, &[], &[]));
            }
            let body = parse_body(&format!("GET {path}"), &response.body)?;
            let last_page = last_page(&body);
            let list = match unwrap_data(body) {
                Value::Null => Vec::new(),
                Value::Array(list) => list,
                other => {
                    return Err(PanelError::protocol(format!(
                        "GET {path}: expected a list, got {}",
                        kind_of(&other)
                    )))
                }
            };
            for item in list {
                items.push(serde_json::from_value(item).map_err(|e| {
                    PanelError::protocol(format!("GET {path}: unexpected list item: {e}"))
                })?);
            }
            if page >= last_page.min(MAX_PAGES) {
                return Ok(items);
            }
            page += 1;
        }
    }
}

fn parse_body(what: &str, body: &str) -> PanelResult<Value> {
    if body.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(body)
        .map_err(|e| PanelError::protocol(format!("{what}: the answer is not JSON: {e}")))
}

/// `{"data": X, ...}` → `X`; anything else is already the payload.
pub(crate) fn unwrap_data(value: Value) -> Value {
    match value {
        Value::Object(mut map) if map.contains_key("data") => {
            map.remove("data").unwrap_or(Value::Null)
        }
        other => other,
    }
}

fn last_page(body: &Value) -> u64 {
    body.get("meta")
        .and_then(|m| m.get("last_page"))
        .or_else(|| body.get("last_page"))
        .and_then(Value::as_u64)
        .unwrap_or(1)
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_removed_and_bare_values_kept() {
        // The only documented 200 in the reference is wrapped in `data`.
        let wrapped = serde_json::json!({"data": {"location": null, "frequency": "weekly"}});
        assert_eq!(unwrap_data(wrapped)["frequency"], "weekly");
        let bare = serde_json::json!({"id": 3, "email": "a@b.c"});
        assert_eq!(unwrap_data(bare)["id"], 3);
        assert_eq!(unwrap_data(serde_json::json!({"data": null})), Value::Null);
    }

    #[test]
    fn pagination_meta_is_read() {
        let page = serde_json::json!({"data": [], "links": {}, "meta": {"current_page": 1, "last_page": 3}});
        assert_eq!(last_page(&page), 3);
        assert_eq!(last_page(&serde_json::json!([])), 1);
    }

    #[test]
    fn empty_bodies_are_null() {
        assert_eq!(parse_body("DELETE x", "  ").ok(), Some(Value::Null));
        assert!(parse_body("GET x", "<html>").is_err());
    }
}
