//! The HTTP face of the simulated HestiaCP: `web/api/index.php` behind nginx.
//! Reads form fields (urlencoded or multipart) or a JSON object, picks the
//! access-key path or the legacy path, authenticates, runs the command and shapes
//! the answer (status, `Hestia-Exit-Code`, body, content type) the way the PHP
//! does, quirks included.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use axum::routing::any;
use axum::Router;

use super::commands::{self, Access, Outcome};
use super::web_extra;
use super::HestiaSim;

const NULL_DATA: &str = "Error: data received is null or invalid, check https://hestiacp.com/docs/server-administration/rest-api.html";
const TEXT_HTML: &str = "text/html; charset=UTF-8";
const JSON_UTF8: &str = "application/json; charset=utf-8";

pub fn router(sim: Arc<HestiaSim>) -> Router {
    Router::new()
        .route("/api/", any(api))
        .route("/api/index.php", any(api))
        .route("/api", any(redirect_to_slash))
        .fallback(not_found)
        .with_state(sim)
}

/// nginx answers a directory without its slash with a 301.
async fn redirect_to_slash() -> Response<Body> {
    let mut response = crate::harness::nginx_error(StatusCode::MOVED_PERMANENTLY);
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/api/"));
    response
}

async fn not_found() -> Response<Body> {
    crate::harness::nginx_error(StatusCode::NOT_FOUND)
}

/// The request fields after PHP decoding (`$_POST` or `json_decode`).
type Fields = HashMap<String, String>;

/// Whether the answer carries the exit code (`returncode=yes`) or the output.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReturnMode {
    Code,
    Data,
}

fn return_mode(fields: &Fields) -> ReturnMode {
    if fields.get("returncode").map(String::as_str) == Some("yes") {
        ReturnMode::Code
    } else {
        ReturnMode::Data
    }
}

/// `exit_code_to_http_code` from `web/inc/helpers.php`.
fn http_status_for(exit: u32) -> StatusCode {
    match exit {
        0 => StatusCode::OK,
        2 => StatusCode::UNPROCESSABLE_ENTITY,
        5 | 6 | 9 | 10 | 21 => StatusCode::UNAUTHORIZED,
        _ => StatusCode::BAD_REQUEST,
    }
}

fn respond(
    status: StatusCode,
    exit_header: Option<u32>,
    content_type: &'static str,
    body: String,
) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(code) = exit_header {
        headers.insert("Hestia-Exit-Code", HeaderValue::from(code));
    }
    response
}

/// `api_error()`: sets the header and status, prints the code or the message.
fn api_error(exit: u32, message: &str, mode: ReturnMode) -> Response<Body> {
    let status = if exit >= 100 {
        StatusCode::from_u16(exit as u16).unwrap_or(StatusCode::BAD_REQUEST)
    } else {
        http_status_for(exit)
    };
    let message = message.trim();
    let body = match mode {
        ReturnMode::Code => exit.to_string(),
        ReturnMode::Data if message.starts_with("Error:") => message.to_string(),
        ReturnMode::Data => format!("Error: {message}"),
    };
    respond(status, Some(exit), TEXT_HTML, body)
}

async fn api(State(sim): State<Arc<HestiaSim>>, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let Some(mut fields) = request_fields(&headers, &body) else {
        return api_error(405, NULL_DATA, ReturnMode::Data);
    };
    // `hash=ACCESS:SECRET` is the access-key scheme in disguise.
    if !fields.contains_key("access_key") {
        if let Some(hash) = fields.get("hash").cloned() {
            if hash.matches(':').count() == 1 {
                if let Some((access, secret)) = hash.split_once(':') {
                    if access.len() == 20 && secret.len() == 40 {
                        fields.insert("access_key".into(), access.to_string());
                        fields.insert("secret_key".into(), secret.to_string());
                        fields.remove("hash");
                    }
                }
            }
        }
    }
    if fields.contains_key("access_key") && fields.contains_key("secret_key") {
        access_key_api(&sim, &fields).await
    } else if fields.contains_key("user") || fields.contains_key("hash") {
        legacy_api(&sim, &fields).await
    } else {
        api_error(405, NULL_DATA, ReturnMode::Data)
    }
}

/// PHP's `trim()` character set.
fn php_trim(value: &str) -> &str {
    value.trim_matches([' ', '\t', '\n', '\r', '\0', '\u{b}'])
}

/// PHP's `empty()` on a string.
fn php_empty(value: Option<&String>) -> bool {
    value.is_none_or(|v| v.is_empty() || v == "0")
}

/// `cmd` and `arg1`..`arg13` (present ones only, in order, trimmed), or the
/// error `index.php` gives for a missing or malformed command.
fn command_and_args(fields: &Fields) -> Result<(String, Vec<String>), (u32, String)> {
    let cmd = php_trim(fields.get("cmd").map(String::as_str).unwrap_or("")).to_string();
    let args = (1..=13)
        .filter_map(|i| fields.get(&format!("arg{i}")))
        .map(|v| php_trim(v).to_string())
        .collect();
    if cmd.is_empty() || cmd == "0" {
        return Err((2, "Command not provided".to_string()));
    }
    if !cmd
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err((2, format!("{cmd} command invalid")));
    }
    Ok((cmd, args))
}

/// Runs a command as `sudo` would: `None` when the script does not exist.
async fn execute(sim: &HestiaSim, cmd: &str, args: &[String]) -> Option<Outcome> {
    if cmd == "v-make-tmp-file" {
        // Handled by index.php itself: writes a temp file, prints nothing.
        {
            let mut state = sim.write_state();
            web_extra::make_tmp_file(&mut state, args);
        }
        return Some(Outcome {
            exit: 0,
            stdout: String::new(),
        });
    }
    if cmd == "v-add-letsencrypt-domain" {
        // Checks fail fast (521, 522: 0.3 s); an issuance takes its time.
        let settings = sim.letsencrypt();
        let precheck = {
            let state = sim.read_state();
            web_extra::letsencrypt_precheck(&state, args)
        };
        if let Err(refused) = precheck {
            return Some(refused);
        }
        tokio::time::sleep(std::time::Duration::from_millis(settings.delay_ms)).await;
        let mut state = sim.write_state();
        return Some(web_extra::letsencrypt_run(
            &mut state,
            args,
            settings.reachable,
        ));
    }
    Some(match commands::access_of(cmd)? {
        Access::Read => commands::run_read(&sim.read_state(), cmd, args),
        Access::Write => {
            let mut state = sim.write_state();
            commands::run_write(&mut state, cmd, args)
        }
    })
}

/// PHP `exec()` output: lines without trailing whitespace, no final empty line.
fn exec_lines(stdout: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = stdout.split('\n').map(str::trim_end).collect();
    if stdout.ends_with('\n') || stdout.is_empty() {
        lines.pop();
    }
    lines
}

async fn legacy_api(sim: &HestiaSim, fields: &Fields) -> Response<Body> {
    let mode = return_mode(fields);
    if php_empty(fields.get("hash")) {
        if fields.get("user").map(String::as_str) != Some(super::ADMIN_USER) {
            return api_error(10, "Error: authentication failed", mode);
        }
        let Some(password) = fields.get("password") else {
            return api_error(9, "Error: authentication failed", mode);
        };
        if !sim.admin_password_matches(password) {
            return api_error(9, "Error: authentication failed", mode);
        }
    } else {
        let hash = fields.get("hash").map(String::as_str).unwrap_or("");
        let key = hash.rsplit('/').next().unwrap_or("");
        if key.len() < 16 || key != super::LEGACY_API_KEY {
            return api_error(9, "Error: authentication failed", mode);
        }
    }
    let (cmd, args) = match command_and_args(fields) {
        Ok(parsed) => parsed,
        Err((exit, message)) => return api_error(exit, &message, mode),
    };
    // A missing script makes sudo complain on stderr and exit 1; stdout is empty.
    let outcome = execute(sim, &cmd, &args).await.unwrap_or(Outcome {
        exit: 1,
        stdout: String::new(),
    });
    let body = match mode {
        ReturnMode::Code => outcome.exit.to_string(),
        ReturnMode::Data => {
            let lines = exec_lines(&outcome.stdout);
            if lines.is_empty() {
                "OK".to_string()
            } else {
                format!("{}\n", lines.join("\n"))
            }
        }
    };
    respond(StatusCode::OK, None, TEXT_HTML, body)
}

async fn access_key_api(sim: &HestiaSim, fields: &Fields) -> Response<Body> {
    let mode = return_mode(fields);
    let (cmd, args) = match command_and_args(fields) {
        Ok(parsed) => parsed,
        Err((exit, message)) => return api_error(exit, &message, mode),
    };
    let access_key = php_trim(fields.get("access_key").map(String::as_str).unwrap_or(""));
    let secret_key = php_trim(fields.get("secret_key").map(String::as_str).unwrap_or(""));
    if access_key.is_empty() || access_key == "0" || secret_key.is_empty() || secret_key == "0" {
        return api_error(9, "Authentication failed", mode);
    }
    if let Err((exit, message)) = check_access_key(access_key, secret_key, &cmd) {
        return api_error(exit, &message, mode);
    }
    let Some(outcome) = execute(sim, &cmd, &args).await else {
        return api_error(10, &format!("Error: Command {cmd} not found"), mode);
    };
    let exit = u32::from(outcome.exit);
    if mode == ReturnMode::Code {
        return respond(StatusCode::OK, Some(exit), TEXT_HTML, exit.to_string());
    }
    let output = php_trim(&exec_lines(&outcome.stdout).join("\n")).to_string();
    if exit > 0 {
        return respond(http_status_for(exit), Some(exit), TEXT_HTML, output);
    }
    if output.is_empty() {
        return respond(StatusCode::NO_CONTENT, Some(0), TEXT_HTML, output);
    }
    let content_type = if json_truthy(&output) {
        JSON_UTF8
    } else {
        TEXT_HTML
    };
    respond(StatusCode::OK, Some(0), content_type, output)
}

/// `v-check-access-key KEY SECRET CMD`: the checks in the script's order; every
/// failure maps to exit 9 except "not permitted"/"not found" (10).
fn check_access_key(access_key: &str, secret_key: &str, cmd: &str) -> Result<(), (u32, String)> {
    let key_id = access_key.rsplit('/').next().unwrap_or("");
    if !(key_id.len() == 20 && key_id.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err((
            9,
            format!("Error: invalid access_key_id format :: {key_id}"),
        ));
    }
    if key_id != super::ACCESS_KEY_ID {
        return Err((9, format!("Error: key {key_id} doesn't exist")));
    }
    let secret_ok = secret_key.len() == 40
        && secret_key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"|_.+/^~=%-".contains(&b));
    if !secret_ok {
        return Err((9, "Error: invalid secret_access_key format".to_string()));
    }
    if secret_key != super::SECRET_ACCESS_KEY {
        return Err((9, format!("Error: Invalid secret key for key {key_id}")));
    }
    if commands::access_of(cmd).is_none() && cmd != "v-make-tmp-file" {
        return Err((10, format!("Error: Command {cmd} not found")));
    }
    Ok(())
}

/// PHP's `json_decode($output, true)` being truthy: valid JSON that is not an
/// empty array/object, `0`, `""`, `false` or `null`. An empty listing (`{` `}`)
/// therefore goes out as text/html.
fn json_truthy(output: &str) -> bool {
    let trimmed = output.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // Listings are large and always containers: validate without building a tree.
        if serde_json::from_str::<serde::de::IgnoredAny>(trimmed).is_err() {
            return false;
        }
        let inner = trimmed[1..trimmed.len() - 1].trim();
        return !inner.is_empty();
    }
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(serde_json::Value::String(s)) => !s.is_empty() && s != "0",
        Ok(serde_json::Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Ok(serde_json::Value::Bool(b)) => b,
        _ => false,
    }
}

/// `$_POST` when it holds `access_key`, `user` or `hash`; else a JSON object
/// body; else `None` (the 405 answer).
fn request_fields(headers: &HeaderMap, body: &Bytes) -> Option<Fields> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = if content_type.starts_with("application/x-www-form-urlencoded") {
        Some(
            url::form_urlencoded::parse(body)
                .into_owned()
                .collect::<Fields>(),
        )
    } else if content_type.starts_with("multipart/form-data") {
        multipart_fields(&content_type, headers, body)
    } else {
        None
    };
    if let Some(form) = form {
        if ["access_key", "user", "hash"]
            .iter()
            .any(|k| form.contains_key(*k))
        {
            return Some(form);
        }
    }
    json_fields(body)
}

/// A JSON object body, with values turned into the strings PHP would see.
/// `null` counts as absent (`isset`), booleans become `1`/``, numbers their
/// text, and nested arrays/objects the string `Array` (PHP's conversion; the
/// real panel would log a warning or fail on them).
fn json_fields(body: &Bytes) -> Option<Fields> {
    let serde_json::Value::Object(map) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    if map.is_empty() {
        return None;
    }
    let mut fields = Fields::new();
    for (key, value) in map {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::Bool(true) => "1".to_string(),
            serde_json::Value::Bool(false) => String::new(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s,
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => "Array".to_string(),
        };
        fields.insert(key, text);
    }
    Some(fields)
}

/// Text fields of a `multipart/form-data` body (file parts are ignored, as they
/// land in `$_FILES`, not `$_POST`).
fn multipart_fields(content_type: &str, headers: &HeaderMap, body: &Bytes) -> Option<Fields> {
    // The boundary is case-sensitive: read it from the original header value.
    let original = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let _ = content_type;
    let boundary = original.split(';').find_map(|part| {
        let part = part.trim();
        let (key, value) = part.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
    })?;
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut fields = Fields::new();
    for part in text.split(delimiter.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))?;
        if disposition.contains("filename=") {
            continue;
        }
        let name = disposition.split(';').find_map(|p| {
            p.trim()
                .strip_prefix("name=")
                .map(|n| n.trim_matches('"').to_string())
        })?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        fields.insert(name, value.to_string());
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exec_lines_match_php_exec() {
        assert_eq!(exec_lines(""), Vec::<&str>::new());
        assert_eq!(exec_lines("a  \nb\n"), vec!["a", "b"]);
        assert_eq!(exec_lines("{\n}\n"), vec!["{", "}"]);
    }

    #[test]
    fn empty_json_listing_is_not_truthy() {
        assert!(!json_truthy("{\n}"));
        assert!(json_truthy("{\"a\": {}}"));
        assert!(!json_truthy("Error: x"));
        assert!(!json_truthy("[ ]"));
        assert!(!json_truthy("{\"a\": \"x\"\"}"));
        assert!(json_truthy("\"text\""));
        assert!(!json_truthy("0"));
    }

    #[test]
    fn multipart_text_fields_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=XyZ"),
        );
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nadmin\r\n--XyZ\r\nContent-Disposition: form-data; name=\"cmd\"\r\n\r\nv-list-users\r\n--XyZ--\r\n",
        );
        let fields = request_fields(&headers, &body).unwrap();
        assert_eq!(fields["user"], "admin");
        assert_eq!(fields["cmd"], "v-list-users");
    }

    mod in_process {
        use super::super::super::new;
        use crate::panel::SimPanel;
        use axum::body::Body;
        use http::Request;
        use proptest::prelude::*;
        use tower::ServiceExt;

        fn field_name() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("access_key".to_string()),
                Just("secret_key".to_string()),
                Just("user".to_string()),
                Just("password".to_string()),
                Just("hash".to_string()),
                Just("cmd".to_string()),
                Just("returncode".to_string()),
                (1u8..=13).prop_map(|i| format!("arg{i}")),
                any::<String>(),
            ]
        }

        fn field_value() -> impl Strategy<Value = String> {
            prop_oneof![
                Just(super::super::super::ACCESS_KEY_ID.to_string()),
                Just(super::super::super::SECRET_ACCESS_KEY.to_string()),
                Just("admin".to_string()),
                Just(super::super::super::ADMIN_PASSWORD.to_string()),
                Just("yes".to_string()),
                Just("json".to_string()),
                prop::sample::select(vec![
                    "v-add-user",
                    "v-list-user",
                    "v-list-users",
                    "v-add-web-domain",
                    "v-add-domain",
                    "v-add-database",
                    "v-delete-user",
                    "v-change-user-name",
                    "v-change-user-package",
                    "v-list-database",
                    "v-delete-web-domain",
                    "v-change-web-domain-docroot",
                    "v-change-database-password",
                ])
                .prop_map(str::to_string),
                "[a-zA-Z0-9._@ -]{0,20}",
                any::<String>(),
            ]
        }

        fn body_strategy() -> impl Strategy<Value = (String, Vec<u8>)> {
            let fields = || prop::collection::vec((field_name(), field_value()), 0..12);
            prop_oneof![
                fields().prop_map(|f| {
                    let body = url::form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(f)
                        .finish();
                    (
                        "application/x-www-form-urlencoded".to_string(),
                        body.into_bytes(),
                    )
                }),
                fields().prop_map(|f| {
                    let map: serde_json::Map<String, serde_json::Value> =
                        f.into_iter().map(|(k, v)| (k, v.into())).collect();
                    (
                        "application/json".to_string(),
                        serde_json::to_vec(&map).unwrap_or_default(),
                    )
                }),
                (any::<String>(), prop::collection::vec(any::<u8>(), 0..200)),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]
            #[test]
            fn random_bodies_never_panic_and_get_hestia_errors((content_type, body) in body_strategy()) {
                let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
                let router = new().router();
                let mut request = Request::post("/api/");
                if let Ok(value) = http::HeaderValue::from_str(&content_type) {
                    request = request.header(http::header::CONTENT_TYPE, value);
                }
                let request = request.body(Body::from(body)).unwrap();
                let response = runtime.block_on(router.oneshot(request)).unwrap();
                let status = response.status().as_u16();
                prop_assert!([200, 204, 400, 401, 405, 422].contains(&status), "status {}", status);
                if status >= 400 {
                    let exit = response.headers().get("Hestia-Exit-Code");
                    prop_assert!(exit.is_some());
                    let bytes = runtime
                        .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                        .unwrap();
                    let text = String::from_utf8_lossy(&bytes);
                    prop_assert!(
                        text.parse::<u32>().is_ok() || text.starts_with("Error:") || text.starts_with("Usage:"),
                        "body {:?}", text
                    );
                }
            }
        }
    }
}
