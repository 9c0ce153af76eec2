//! How the simulated PanelAlpha answers: Laravel-shaped error bodies, the `{"data": ...}`
//! envelope and the length-aware paginator.
//!
//! Only the 401 body is documented by the seed (`{"message":"Unauthenticated."}`, with
//! `cache-control: no-cache, private`). Every other shape here is Laravel's default, which is
//! what a Laravel app (Scribe docs, Laravel 401 body) produces unless it customises its handler.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{json, Value};

/// A failed request, rendered the way Laravel's exception handler renders it for JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Missing or wrong bearer token (documented 135 times in the seed).
    Unauthenticated,
    /// A policy or gate said no (Laravel `AuthorizationException`).
    Forbidden,
    /// Implicit route-model binding found nothing (Laravel `ModelNotFoundException`).
    ModelNotFound { model: &'static str, id: String },
    /// An object that lives on the hosting server (domain, database) is not there; these are
    /// not Eloquent models, so the message is the controller's own (`abort(404, ...)`).
    NotFound(String),
    /// No route has this path (Laravel `NotFoundHttpException` from the router).
    RouteNotFound(String),
    /// The path exists for other methods only.
    MethodNotAllowed {
        method: String,
        path: String,
        allowed: Vec<&'static str>,
    },
    /// Failed validation: fields in rule order, each with its messages.
    Validation(Vec<(String, Vec<String>)>),
    /// A business rule refused the request (`abort(422, ...)`): message only, no `errors`.
    Unprocessable(String),
    /// The body exceeded what the simulator reads.
    PayloadTooLarge,
    /// An exception the app did not expect; Laravel (not in debug mode) answers 500 with
    /// `{"message": "Server Error"}`. Only injected faults produce it.
    ServerError,
}

impl ApiError {
    /// A validation error on one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![(field.to_string(), vec![message.into()])])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::ModelNotFound { .. } | ApiError::NotFound(_) | ApiError::RouteNotFound(_) => {
                StatusCode::NOT_FOUND
            }
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Validation(_) | ApiError::Unprocessable(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The top-level `message`, as Laravel words it.
    pub fn message(&self) -> String {
        match self {
            ApiError::Unauthenticated => "Unauthenticated.".to_string(),
            ApiError::Forbidden => "This action is unauthorized.".to_string(),
            ApiError::ModelNotFound { model, id } => {
                format!("No query results for model [{model}] {id}")
            }
            ApiError::NotFound(message) | ApiError::Unprocessable(message) => message.clone(),
            ApiError::RouteNotFound(path) => format!("The route {path} could not be found."),
            ApiError::MethodNotAllowed {
                method,
                path,
                allowed,
            } => format!(
                "The {method} method is not supported for route {path}. Supported methods: {}.",
                allowed.join(", ")
            ),
            ApiError::Validation(errors) => validation_summary(errors),
            // Laravel's PostTooLargeException carries no message of its own.
            ApiError::PayloadTooLarge => "The POST data is too large.".to_string(),
            ApiError::ServerError => "Server Error".to_string(),
        }
    }

    pub fn body(&self) -> Value {
        match self {
            ApiError::Validation(errors) => {
                let mut fields = serde_json::Map::new();
                for (field, messages) in errors {
                    fields.insert(field.clone(), json!(messages));
                }
                json!({"message": self.message(), "errors": fields})
            }
            _ => json!({"message": self.message()}),
        }
    }
}

/// Laravel's `ValidationException::summarize`: the first message, plus how many more.
fn validation_summary(errors: &[(String, Vec<String>)]) -> String {
    let mut all = errors.iter().flat_map(|(_, messages)| messages.iter());
    let Some(first) = all.next() else {
        return "The given data was invalid.".to_string();
    };
    match all.count() {
        0 => first.clone(),
        1 => format!("{first} (and 1 more error)"),
        more => format!("{first} (and {more} more errors)"),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(self.status(), &self.body())
    }
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `{"data": ...}` with the given status.
    Data(StatusCode, Value),
    /// A body already serialised with its envelope (`{"data": ...}` or a paginator).
    Body(StatusCode, String),
    /// `204 No Content`.
    NoContent,
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize + ?Sized> {
    data: &'a T,
}

impl Reply {
    pub fn ok(data: Value) -> Self {
        Reply::Data(StatusCode::OK, data)
    }

    /// `200 {"data": ...}` serialised straight from a view (no `Value` tree in between).
    pub fn view<T: Serialize + ?Sized>(data: &T) -> Self {
        Self::serialised(StatusCode::OK, &Envelope { data })
    }

    fn serialised<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Self {
        match serde_json::to_string(body) {
            Ok(text) => Reply::Body(status, text),
            // Views hold only strings, numbers and maps with string keys, which always
            // serialise; the fallback only keeps this path panic-free.
            Err(error) => {
                tracing::error!("cannot serialise an answer: {error}");
                Reply::Body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    r#"{"message":"Server Error"}"#.to_string(),
                )
            }
        }
    }

    /// Laravel answers 201 when a JSON resource wraps a model created in this request.
    pub fn created(data: Value) -> Self {
        Reply::Data(StatusCode::CREATED, data)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        match self {
            Reply::Data(status, data) => json_response(status, &json!({ "data": data })),
            Reply::Body(status, text) => text_response(status, text),
            Reply::NoContent => {
                let mut response = StatusCode::NO_CONTENT.into_response();
                add_laravel_headers(&mut response);
                response
            }
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    // Serialising a `Value` cannot fail; the fallback only keeps this path panic-free.
    let text = serde_json::to_string(body).unwrap_or_else(|_| "{}".to_string());
    text_response(status, text)
}

fn text_response(status: StatusCode, text: String) -> Response {
    let mut response = (status, text).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    add_laravel_headers(&mut response);
    response
}

/// Headers the seed's 401 examples show on every answer.
fn add_laravel_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
}

/// Page selection from `page` and `per_page`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: usize,
    pub per_page: usize,
}

/// Laravel's default page size for `Model::paginate()`.
pub const DEFAULT_PER_PAGE: usize = 15;

impl PageRequest {
    /// Assumption: garbage in `page`/`per_page` falls back to the defaults, as Laravel's
    /// paginator does for `page`; `per_page` has no documented cap, so none is applied.
    pub fn from_input(page: Option<&Value>, per_page: Option<&Value>) -> Self {
        let positive = |value: Option<&Value>| -> Option<usize> {
            let number = match value? {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            }?;
            usize::try_from(number).ok().filter(|n| *n >= 1)
        };
        PageRequest {
            page: positive(page).unwrap_or(1),
            per_page: positive(per_page)
                .unwrap_or(DEFAULT_PER_PAGE)
                .min(1_000_000),
        }
    }

    /// The index range of this page within `total` items.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = self.page.saturating_sub(1).saturating_mul(self.per_page);
        let start = start.min(total);
        let end = start.saturating_add(self.per_page).min(total);
        start..end
    }
}

#[derive(Serialize)]
struct PageBody<'a, T: Serialize> {
    data: &'a [T],
    links: Value,
    meta: Value,
}

/// Laravel's `LengthAwarePaginator` wrapped by a resource collection:
/// `{"data":[...],"links":{...},"meta":{...}}`. `items` is the page; `path` is the absolute URL
/// without query.
pub fn paginated<T: Serialize>(items: &[T], total: usize, page: PageRequest, path: &str) -> Reply {
    let last_page = total.div_ceil(page.per_page).max(1);
    let range = page.range(total);
    let (from, to) = if range.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (json!(range.start + 1), json!(range.end))
    };
    let url = |n: usize| format!("{path}?page={n}");
    let prev = (page.page > 1).then(|| url(page.page - 1));
    let next = (page.page < last_page).then(|| url(page.page + 1));
    let mut meta_links = vec![json!({"url": prev, "label": "&laquo; Previous", "active": false})];
    for slot in page_window(page.page, last_page) {
        meta_links.push(match slot {
            Some(n) => json!({"url": url(n), "label": n.to_string(), "active": n == page.page}),
            None => json!({"url": null, "label": "...", "active": false}),
        });
    }
    meta_links.push(json!({"url": next, "label": "Next &raquo;", "active": false}));
    let body = PageBody {
        data: items,
        links: json!({"first": url(1), "last": url(last_page), "prev": prev, "next": next}),
        meta: json!({
            "current_page": page.page,
            "from": from,
            "last_page": last_page,
            "links": meta_links,
            "path": path,
            "per_page": page.per_page,
            "to": to,
            "total": total,
        }),
    };
    Reply::serialised(StatusCode::OK, &body)
}

/// The page numbers Laravel's `UrlWindow` shows (three on each side of the current page, the
/// first and last two, `None` for a "..." gap), so a long list does not list every page.
fn page_window(current: usize, last: usize) -> Vec<Option<usize>> {
    const EACH_SIDE: usize = 3;
    const WINDOW: usize = EACH_SIDE * 2;
    if last < WINDOW + 8 {
        return (1..=last).map(Some).collect();
    }
    let head = [Some(1), Some(2), None];
    let tail = [None, Some(last - 1), Some(last)];
    if current <= WINDOW {
        (1..=WINDOW + 2).map(Some).chain(tail).collect()
    } else if current > last - WINDOW {
        head.into_iter()
            .chain((last - (WINDOW + 2) + 1..=last).map(Some))
            .collect()
    } else {
        let middle = (current - EACH_SIDE..=current + EACH_SIDE).map(Some);
        head.into_iter().chain(middle).chain(tail).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_message_counts_the_other_errors() {
        let error = ApiError::Validation(vec![
            ("email".into(), vec!["The email field is required.".into()]),
            (
                "password".into(),
                vec!["The password field is required.".into()],
            ),
        ]);
        assert_eq!(
            error.body(),
            json!({
                "message": "The email field is required. (and 1 more error)",
                "errors": {
                    "email": ["The email field is required."],
                    "password": ["The password field is required."]
                }
            })
        );
    }

    #[test]
    fn page_ranges_stay_inside_the_list() {
        let page = PageRequest::from_input(Some(&json!("3")), Some(&json!(2)));
        assert_eq!(page.range(5), 4..5);
        assert_eq!(page.range(3), 3..3);
        let garbage = PageRequest::from_input(Some(&json!("x")), Some(&json!(-1)));
        assert_eq!(
            garbage,
            PageRequest {
                page: 1,
                per_page: DEFAULT_PER_PAGE
            }
        );
        let window: Vec<Option<usize>> = page_window(30, 67);
        assert_eq!(window.len(), 13);
        assert_eq!(&window[..4], &[Some(1), Some(2), None, Some(27)]);
        assert_eq!(
            page_window(1, 5),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5)]
        );
        assert_eq!(page_window(67, 67).last(), Some(&Some(67)));
        let huge = PageRequest::from_input(Some(&json!(u64::MAX)), Some(&json!(u64::MAX)));
        assert!(huge.range(10).is_empty());
    }
}
