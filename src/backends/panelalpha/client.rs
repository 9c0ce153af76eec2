//! Raw HTTP for PanelAlpha (`{endpoint}/api/...`) over the shared transport
//! ([`crate::backends::http`]): bearer token on every call, the `X-PanelAlpha-User`
//! header on user endpoints, envelope removal and pagination.
//!
//! Undocumented, handled defensively (assumptions from the vendor client and Laravel):
//! success bodies may be `{"data": X}` or a bare `X`, and an empty body (204) is `null`;
//! lists may be Laravel pages (`{"data": [...], "meta": {"last_page": n}}`), so lists are
//! requested with a `per_page` and further pages are fetched while `meta` says so.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::error::{parse_error, FieldMap};
pub(crate) use crate::backends::rest::RestRequest as HttpRequest;
use crate::backends::rest::{RestAuth, RestClient};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult};

/// A runaway `last_page` must not turn one read into thousands of requests.
const MAX_PAGES: u64 = 50;

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

    /// GET every page of a list, with the vendor client's page size.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        as_user: Option<i64>,
    ) -> PanelResult<Vec<T>> {
        Ok(self.list_all(path, as_user, SAFE_PAGE).await?.items)
    }
}

/// Every page of one list, and whether that is all of it (false when cut at
/// [`MAX_PAGES`], so a missing item may still exist).
#[derive(Debug)]
pub(crate) struct Listing<T> {
    pub items: Vec<T>,
    pub complete: bool,
}

/// Page size asked for by [`PanelAlphaClient::list_all`]: the API documents no cap, so
/// one request serves a thousand users or services.
pub(crate) const LARGE_PAGE: u32 = 1000;

/// The vendor client's page size, which every PanelAlpha serves: the fallback when a
/// panel refuses a larger one.
const SAFE_PAGE: u32 = 100;

/// One page of a list: a bare array, or a Laravel page / `{"data": [...]}` envelope.
/// Decoded straight into the item type, so a large list never exists as a JSON tree.
#[derive(serde::Deserialize)]
#[serde(bound = "T: DeserializeOwned")]
struct PageBody<T> {
    #[serde(default)]
    data: Option<Vec<T>>,
    #[serde(default)]
    meta: Option<PageMeta>,
    #[serde(default)]
    last_page: Option<u64>,
}

#[derive(serde::Deserialize)]
struct PageMeta {
    #[serde(default)]
    last_page: Option<u64>,
}

impl PanelAlphaClient {
    /// GET every page of a list with `per_page` items a page, decoding only the fields
    /// `T` keeps. A panel that refuses the page size (422 on the first page) is asked
    /// again with the vendor client's 100.
    pub(crate) async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        as_user: Option<i64>,
        per_page: u32,
    ) -> PanelResult<Listing<T>> {
        let mut per_page = per_page.max(1);
        let mut items = Vec::new();
        let mut page: u64 = 1;
        loop {
            let mut request = HttpRequest::get(path).query("per_page", per_page.to_string());
            if page > 1 {
                request = request.query("page", page.to_string());
            }
            if let Some(user) = as_user {
                request = request.header("x-panelalpha-user", user.to_string());
            }
            let response = self.http.send(&request).await?;
            if response.status == 422 && page == 1 && per_page > SAFE_PAGE {
                per_page = SAFE_PAGE;
                continue;
            }
            if !response.is_success() {
                return Err(parse_error(response.status, &response.body, &[], &[]));
            }
            let (mut list, last_page) = parse_page::<T>(path, &response.body)?;
            items.append(&mut list);
            if page >= last_page {
                return Ok(Listing {
                    items,
                    complete: true,
                });
            }
            if page >= MAX_PAGES {
                return Ok(Listing {
                    items,
                    complete: false,
                });
            }
            page += 1;
        }
    }
}

/// The items of one list page and the last page number (1 when the answer has no
/// paginator).
fn parse_page<T: DeserializeOwned>(path: &str, body: &str) -> PanelResult<(Vec<T>, u64)> {
    let trimmed = body.trim_start();
    let unexpected =
        |e: serde_json::Error| PanelError::protocol(format!("GET {path}: unexpected list: {e}"));
    match trimmed.as_bytes().first() {
        None => Ok((Vec::new(), 1)),
        Some(b'[') => Ok((serde_json::from_str(trimmed).map_err(unexpected)?, 1)),
        Some(b'{') => {
            let page: PageBody<T> = serde_json::from_str(trimmed).map_err(unexpected)?;
            let last_page = page
                .meta
                .and_then(|m| m.last_page)
                .or(page.last_page)
                .unwrap_or(1);
            Ok((page.data.unwrap_or_default(), last_page))
        }
        Some(_) => Err(PanelError::protocol(format!(
            "GET {path}: the answer is not a JSON list"
        ))),
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
    fn list_pages_decode_bare_arrays_envelopes_and_paginators() {
        let (items, last): (Vec<u32>, u64) = parse_page("x", "[1,2]").unwrap();
        assert_eq!((items, last), (vec![1, 2], 1));
        let (items, last): (Vec<u32>, u64) =
            parse_page("x", r#"{"data":[3],"links":{},"meta":{"last_page":4}}"#).unwrap();
        assert_eq!((items, last), (vec![3], 4));
        let (items, last): (Vec<u32>, u64) = parse_page("x", r#"{"data":null}"#).unwrap();
        assert_eq!((items, last), (Vec::new(), 1));
        let (items, _): (Vec<u32>, u64) = parse_page("x", "  ").unwrap();
        assert!(items.is_empty());
        assert!(parse_page::<u32>("x", "<html>").is_err());
        assert!(parse_page::<u32>("x", r#"{"data":{"id":1}}"#).is_err());
    }

    #[test]
    fn empty_bodies_are_null() {
        assert_eq!(parse_body("DELETE x", "  ").ok(), Some(Value::Null));
        assert!(parse_body("GET x", "<html>").is_err());
    }
}
