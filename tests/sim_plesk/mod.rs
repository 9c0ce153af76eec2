//! Conformance tests of the simulated Plesk against the public references (captured XML
//! pairs, the REST OpenAPI document, the documented error codes), plus fuzzing. The
//! simulator's router is built in-process (its source is included below by path, since a
//! binary crate cannot be imported) and driven with `tower::ServiceExt::oneshot`.

// The binary's harness uses parts of these (e.g. `SimPanel::name`) that no test needs.
#[allow(dead_code)]
#[path = "../../src/bin/panel-sim/panel.rs"]
mod panel;
#[allow(dead_code)]
#[path = "../../src/bin/panel-sim/plesk/mod.rs"]
mod plesk;

mod behaviour;
mod fuzz;
mod outline;
mod rest_schema;
mod services;
mod xml_replay;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64::Engine as _;
use serde_json::Value;
use tower::ServiceExt as _;

use panel::SimPanel;

/// The Plesk reference files the tests compare against, copied from the shared
/// reference tree (provenance: `tests/fixtures/reference/plesk/README.md`).
pub const REFERENCE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/reference/plesk"
);

/// One simulated Plesk and its router.
pub struct Sim {
    pub panel: Arc<plesk::PleskSim>,
    router: axum::Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("body is UTF-8")
    }
}

impl Sim {
    pub fn new() -> Self {
        let panel = plesk::new();
        let router = panel.clone().router();
        Sim { panel, router }
    }

    pub fn seeded(seed: Value) -> Self {
        let sim = Sim::new();
        sim.panel.seed(seed).expect("seed accepted");
        sim
    }

    pub fn credentials(&self) -> Value {
        self.panel.credentials()
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024)
            .await
            .expect("body readable");
        Reply {
            status,
            headers,
            body: body.to_vec(),
        }
    }

    /// An XML packet sent with the admin login and password.
    pub async fn xml(&self, packet: &str) -> String {
        let creds = self.credentials();
        let login = creds["login"].as_str().unwrap_or_default().to_owned();
        let password = creds["password"].as_str().unwrap_or_default().to_owned();
        self.xml_with(
            &[("HTTP_AUTH_LOGIN", &login), ("HTTP_AUTH_PASSWD", &password)],
            packet,
        )
        .await
    }

    pub async fn xml_with(&self, headers: &[(&str, &str)], packet: &str) -> String {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri("/enterprise/control/agent.php")
            .header("content-type", "text/xml");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let reply = self
            .send(
                request
                    .body(Body::from(packet.to_owned()))
                    .expect("request"),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "the XML API always answers 200"
        );
        let content_type = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert!(
            content_type.is_some_and(|v| v.starts_with("text/xml")),
            "{content_type:?}"
        );
        reply.text()
    }

    fn basic_auth(&self) -> String {
        let creds = self.credentials();
        let pair = format!(
            "{}:{}",
            creds["login"].as_str().unwrap_or_default(),
            creds["password"].as_str().unwrap_or_default()
        );
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }

    /// A REST call with Basic auth as admin.
    pub async fn rest(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let auth = self.basic_auth();
        self.rest_with(method, path, body, &[("authorization", &auth)])
            .await
    }

    pub async fn rest_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let body = match body {
            Some(value) => {
                request = request.header("content-type", "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body).expect("request")).await
    }
}

/// A response element tree read by the tests' own parser (not the simulator's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Tree>,
}

impl Tree {
    pub fn parse(xml: &str) -> Result<Tree, String> {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut stack: Vec<Tree> = Vec::new();
        let mut root = None;
        let open = |e: &quick_xml::events::BytesStart| -> Result<Tree, String> {
            let mut attrs = Vec::new();
            for a in e.attributes() {
                let a = a.map_err(|e| e.to_string())?;
                attrs.push((
                    String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                    a.unescape_value().map_err(|e| e.to_string())?.into_owned(),
                ));
            }
            Ok(Tree {
                name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                attrs,
                text: String::new(),
                children: vec![],
            })
        };
        loop {
            match reader.read_event().map_err(|e| e.to_string())? {
                Event::Start(e) => stack.push(open(&e)?),
                Event::Empty(e) => {
                    let node = open(&e)?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                }
                Event::End(_) => {
                    let node = stack.pop().ok_or("unbalanced")?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => root = Some(node),
                    }
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&t.decode().map_err(|e| e.to_string())?);
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(top) = stack.last_mut() {
                        let name = r.decode().map_err(|e| e.to_string())?.into_owned();
                        let resolved = match name.as_str() {
                            "lt" => "<".to_owned(),
                            "gt" => ">".to_owned(),
                            "amp" => "&".to_owned(),
                            "quot" => "\"".to_owned(),
                            "apos" => "'".to_owned(),
                            _ => r
                                .resolve_char_ref()
                                .map_err(|e| e.to_string())?
                                .map(String::from)
                                .unwrap_or_default(),
                        };
                        top.text.push_str(&resolved);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        root.ok_or_else(|| "empty document".into())
    }

    pub fn child(&self, name: &str) -> Option<&Tree> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Follows a `/`-separated path of first children.
    pub fn at(&self, path: &str) -> Option<&Tree> {
        path.split('/')
            .try_fold(self, |node, name| node.child(name))
    }

    pub fn text_at(&self, path: &str) -> Option<String> {
        self.at(path).map(|n| n.text.trim().to_owned())
    }

    /// The element structure with text dropped and runs of same-named siblings merged
    /// (their children united in first-seen order), so "2 results" and "5 results" of the
    /// same shape compare equal while any missing or extra element does not.
    pub fn shape(&self) -> Shape {
        let mut children: Vec<Shape> = Vec::new();
        for child in &self.children {
            let shape = child.shape();
            match children.last_mut() {
                Some(last) if last.name == shape.name => last.merge(shape),
                _ => children.push(shape),
            }
        }
        Shape {
            name: self.name.clone(),
            children,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    pub name: String,
    pub children: Vec<Shape>,
}

impl Shape {
    fn merge(&mut self, other: Shape) {
        for child in other.children {
            match self.children.iter_mut().find(|c| c.name == child.name) {
                Some(existing) => existing.merge(child),
                None => self.children.push(child),
            }
        }
    }

    pub fn render(&self, depth: usize, out: &mut String) {
        out.push_str(&"  ".repeat(depth));
        out.push_str(&self.name);
        out.push('\n');
        for child in &self.children {
            child.render(depth + 1, out);
        }
    }
}

/// Asserts an XML answer is a `<system>` error packet with that code.
pub fn assert_system_error(xml: &str, code: u32) {
    let tree = Tree::parse(xml).unwrap_or_else(|e| panic!("answer is not XML ({e}): {xml}"));
    assert_eq!(tree.name, "packet", "{xml}");
    assert!(
        tree.attrs.iter().any(|(k, _)| k == "version"),
        "packet carries version: {xml}"
    );
    let names: Vec<&str> = tree.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["system"], "{xml}");
    let system = tree.child("system").expect("system");
    let order: Vec<&str> = system.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order, ["status", "errcode", "errtext"], "{xml}");
    assert_eq!(system.text_at("status").as_deref(), Some("error"));
    assert_eq!(system.text_at("errcode"), Some(code.to_string()), "{xml}");
    assert!(!system.text_at("errtext").unwrap_or_default().is_empty());
}
