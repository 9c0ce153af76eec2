//! The control API under `/__sim/` (no auth, JSON): state dump/restore, reset,
//! seed, request counters and fault settings. See SIM.md for the contract.

use axum::body::{Body, Bytes};
use http::{Method, Response, StatusCode};
use serde_json::json;

use super::knobs::FaultsUpdate;
use super::{json_response, Harness};

pub fn handle(harness: &Harness, method: &Method, path: &str, body: &Bytes) -> Response<Body> {
    let endpoint = path.trim_end_matches('/');
    match (method, endpoint) {
        (&Method::GET, "/__sim/state") => json_response(StatusCode::OK, &harness.panel.dump()),
        (&Method::PUT, "/__sim/state") => match parse_json(body) {
            Ok(state) => match harness.panel.restore(state) {
                Ok(()) => {
                    harness.persist();
                    json_response(StatusCode::OK, &harness.panel.dump())
                }
                Err(err) => bad_request(&err),
            },
            Err(err) => bad_request(&err),
        },
        (&Method::POST, "/__sim/reset") => {
            // The state and the counters start afresh; the knobs go back to what
            // the command line set (issue 15: reset must not drop --latency-ms).
            harness.panel.reset();
            harness.counters.clear();
            harness.knobs.reset_to_initial();
            harness.persist();
            json_response(StatusCode::OK, &json!({"reset": true}))
        }
        (&Method::POST, "/__sim/seed") => match parse_json(body) {
            Ok(objects) => match harness.panel.seed(objects) {
                Ok(()) => {
                    harness.persist();
                    json_response(StatusCode::OK, &json!({"seeded": true}))
                }
                Err(err) => bad_request(&err),
            },
            Err(err) => bad_request(&err),
        },
        (&Method::GET, "/__sim/requests") => {
            json_response(StatusCode::OK, &harness.counters.snapshot())
        }
        (&Method::DELETE, "/__sim/requests") => {
            harness.counters.clear();
            json_response(StatusCode::OK, &harness.counters.snapshot())
        }
        (&Method::GET, "/__sim/faults") => faults_response(&harness.knobs.current()),
        (&Method::PUT, "/__sim/faults") => {
            let update: FaultsUpdate = match serde_json::from_slice(body) {
                Ok(update) => update,
                Err(err) => return bad_request(&format!("invalid faults: {err}")),
            };
            match harness.knobs.update(update) {
                Ok(faults) => faults_response(&faults),
                Err(err) => bad_request(&err),
            }
        }
        (
            _,
            "/__sim/state" | "/__sim/reset" | "/__sim/seed" | "/__sim/requests" | "/__sim/faults",
        ) => json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &json!({"error": format!("{method} is not supported on {endpoint}")}),
        ),
        _ => {
            let panel_prefix = format!("/__sim/{}/", harness.panel.name());
            if let Some(rest) = endpoint
                .strip_prefix(panel_prefix.as_str())
                .map(|rest| format!("/{rest}"))
            {
                if let Some((status, value)) = harness.panel.control(method, &rest, body) {
                    let status =
                        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    if *method != Method::GET && status.is_success() {
                        harness.persist();
                    }
                    return json_response(status, &value);
                }
            }
            unknown_endpoint(endpoint)
        }
    }
}

fn unknown_endpoint(endpoint: &str) -> Response<Body> {
    json_response(
        StatusCode::NOT_FOUND,
        &json!({"error": format!("unknown control endpoint {endpoint}")}),
    )
}

fn parse_json(body: &Bytes) -> Result<serde_json::Value, String> {
    serde_json::from_slice(body).map_err(|err| format!("body is not valid JSON: {err}"))
}

fn bad_request(message: &str) -> Response<Body> {
    json_response(StatusCode::BAD_REQUEST, &json!({"error": message}))
}

fn faults_response(faults: &super::knobs::Faults) -> Response<Body> {
    match serde_json::to_value(faults) {
        Ok(value) => json_response(StatusCode::OK, &value),
        Err(err) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({"error": err.to_string()}),
        ),
    }
}
