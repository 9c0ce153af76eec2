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
use crate::backends::http::Idempotency;
pub(crate) use crate::backends::rest::RestRequest as HttpRequest;
use crate::backends::rest::{RestAnswer, RestAuth, RestClient};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult};

/// A runaway `last_page` must not turn one read into thousands of requests.
const MAX_PAGES: u64 = 50;

/// Page size asked for by [`PanelAlphaClient::list_all`]: the API documents no cap, so
/// one request serves a thousand users or services.
pub(crate) const LARGE_PAGE: u32 = 1000;

/// The vendor client's page size, which every PanelAlpha serves: the fallback when a
/// panel refuses a larger one.
const SAFE_PAGE: u32 = 100;

/// Every page of one list, and whether that is all of it (false when cut at
/// [`MAX_PAGES`], so a missing item may still exist).
#[derive(Debug)]
pub(crate) struct Listing<T> {
    pub items: Vec<T>,
    pub complete: bool,
}

/// The panel's name in messages.
const PANEL: &str = "panelalpha";

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
        let answer = self.send(request, as_user, secrets).await?;
        success_body(&answer, fields).map(unwrap_data)
    }

    async fn send(
        &self,
        request: HttpRequest,
        as_user: Option<i64>,
        secrets: &[&str],
    ) -> PanelResult<RestAnswer> {
        let request = match as_user {
            Some(user) => request.header("x-panelalpha-user", user.to_string()),
            None => request,
        };
        self.http.send(&request, secrets).await
    }

    /// GET every page of a list, with the vendor client's page size.
    pub(crate) async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        as_user: Option<i64>,
    ) -> PanelResult<Vec<T>> {
        Ok(self.list_all(path, as_user, SAFE_PAGE).await?.items)
    }

    /// GET every page of a list with `per_page` items a page. A panel that refuses the
    /// page size (422 on the first page) is asked again with the vendor client's 100.
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
            let answer = self.send(request, as_user, &[]).await?;
            if answer.status() == 422 && page == 1 && per_page > SAFE_PAGE {
                per_page = SAFE_PAGE;
                continue;
            }
            let body = success_body(&answer, &[])?;
            let last_page = last_page(&body);
            let list = match unwrap_data(body) {
                Value::Array(list) => list,
                _ => return Err(answer.not_the_api(PANEL, "a JSON list")),
            };
            items.reserve(list.len());
            for item in list {
                items.push(answer.decode(PANEL, item)?);
            }
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

/// The JSON of a success answer, or the error a failure answer stands for.
///
/// Undocumented, assumed from Laravel: a change may answer an empty body (204, or 200
/// with nothing), so an empty body counts as done for anything but a GET, which must
/// return data. HTML, truncated JSON or a bare value never count.
fn success_body(answer: &RestAnswer, fields: FieldMap) -> PanelResult<Value> {
    if !answer.is_success() {
        return Err(failure(answer, fields));
    }
    let change = answer.response.idempotency == Idempotency::NonIdempotent;
    answer.json(PANEL, change)
}

/// The error for a non-2xx answer. PanelAlpha's own `{"message": ...}` (Laravel) is
/// mapped by status and text; anything else (a proxy's page), and Laravel's "route
/// could not be found" (a wrong endpoint path, not a missing object), is not trusted
/// to mean "not found" or "already exists".
fn failure(answer: &RestAnswer, fields: FieldMap) -> PanelError {
    let Some(body) = answer.error_object() else {
        return answer.not_the_api(PANEL, "a JSON error with a message");
    };
    let message = body
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if answer.status() == 404 && message.contains("route") && message.contains("could not be found")
    {
        return answer.not_the_api(
            PANEL,
            "an answer of a known API route: check that `endpoint` is the panel's base URL",
        );
    }
    answer.fail(parse_error(
        answer.status(),
        answer.body(),
        fields,
        &answer.redactor,
    ))
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
}
