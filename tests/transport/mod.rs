//! The transport against misbehaving peers on loopback: redirects to another port,
//! pages that are not the panel's API, silent and rate-limiting panels, panels that
//! echo passwords back, and what Terraform's log shows of it all.
//!
//! The peer is a [`Proxy`] of our own in front of `panel-sim`: it forwards every request
//! to the simulator unless a [`Rule`] matches, in which case it answers (or stays
//! silent) the way the rule says and records what it received. So the backends talk to
//! a realistic panel, and each test breaks exactly the request it is about.

mod echoes;
mod logs;
mod non_api;
mod redirects;
mod retries;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use terraform_provider_panel::backends::{connect, BackendConfig, Credentials};
use terraform_provider_panel::panel::{Panel, PanelError, PanelKind, Secret, User, UserSpec};

use crate::conformance::Calls as _;
use crate::support::sim::{self, SimProcess};

/// The four backends.
pub const KINDS: [PanelKind; 4] = [
    PanelKind::Hestia,
    PanelKind::PleskRest,
    PanelKind::PleskXml,
    PanelKind::PanelAlpha,
];

/// One request as the proxy received it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a rule answers instead of the panel.
#[derive(Clone, Debug)]
pub enum Reply {
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Keep the connection open and never answer.
    Silent,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<String>) -> Self {
        Reply::Answer {
            status,
            headers: vec![("content-type", content_type.to_owned())],
            body: body.into(),
        }
    }

    pub fn header(self, name: &'static str, value: impl Into<String>) -> Self {
        match self {
            Reply::Answer {
                status,
                mut headers,
                body,
            } => {
                headers.push((name, value.into()));
                Reply::Answer {
                    status,
                    headers,
                    body,
                }
            }
            Reply::Silent => Reply::Silent,
        }
    }
}

type Matcher = Arc<dyn Fn(&Seen) -> bool + Send + Sync>;
type Answerer = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// When a request matches `when`, answer with `reply` instead of forwarding, at most
/// `times` times.
#[derive(Clone)]
pub struct Rule {
    when: Matcher,
    reply: Answerer,
    times: usize,
}

impl Rule {
    pub fn always(
        when: impl Fn(&Seen) -> bool + Send + Sync + 'static,
        reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self {
            when: Arc::new(when),
            reply: Arc::new(reply),
            times: usize::MAX,
        }
    }

    pub fn once(
        when: impl Fn(&Seen) -> bool + Send + Sync + 'static,
        reply: impl Fn(&Seen) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self {
            times: 1,
            ..Self::always(when, reply)
        }
    }
}

#[derive(Default)]
struct ProxyState {
    rules: Vec<Rule>,
    /// Every request, with whether a rule answered it.
    seen: Vec<(Seen, bool)>,
}

/// A misbehaving peer: forwards to `upstream` (when there is one) unless a rule
/// matches.
pub struct Proxy {
    pub base_url: String,
    state: Arc<Mutex<ProxyState>>,
}

impl Proxy {
    /// Starts on a free loopback port in the current tokio runtime.
    pub async fn start(upstream: Option<String>) -> Self {
        let state: Arc<Mutex<ProxyState>> = Arc::default();
        let shared = state.clone();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = shared.clone();
                let client = client.clone();
                let upstream = upstream.clone();
                async move {
                    let seen = Seen {
                        method: method.to_string(),
                        path: uri
                            .path_and_query()
                            .map(|p| p.to_string())
                            .unwrap_or_default(),
                        headers: headers
                            .iter()
                            .map(|(n, v)| {
                                (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into())
                            })
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let reply = {
                        let mut state = state.lock().unwrap();
                        let rule = state
                            .rules
                            .iter_mut()
                            .find(|rule| rule.times > 0 && (rule.when)(&seen));
                        let reply = rule.map(|rule| {
                            rule.times = rule.times.saturating_sub(1);
                            (rule.reply)(&seen)
                        });
                        state.seen.push((seen.clone(), reply.is_some()));
                        reply
                    };
                    match (reply, upstream) {
                        (Some(Reply::Silent), _) => {
                            tokio::time::sleep(Duration::from_secs(600)).await;
                            StatusCode::GATEWAY_TIMEOUT.into_response()
                        }
                        (
                            Some(Reply::Answer {
                                status,
                                headers,
                                body,
                            }),
                            _,
                        ) => answer(status, &headers, body),
                        (None, Some(upstream)) => {
                            forward(&client, &upstream, method, &seen, headers, body).await
                        }
                        (None, None) => answer(599, &[], "no rule and no upstream".into()),
                    }
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url: format!("http://{addr}"),
            state,
        }
    }

    pub fn add(&self, rule: Rule) {
        self.state.lock().unwrap().rules.push(rule);
    }

    pub fn clear_rules(&self) {
        self.state.lock().unwrap().rules.clear();
    }

    /// Every request received, oldest first.
    pub fn seen(&self) -> Vec<Seen> {
        self.state
            .lock()
            .unwrap()
            .seen
            .iter()
            .map(|(s, _)| s.clone())
            .collect()
    }

    /// Requests that reached the simulator (no rule answered them).
    pub fn forwarded(&self) -> Vec<Seen> {
        self.state
            .lock()
            .unwrap()
            .seen
            .iter()
            .filter(|(_, answered)| !answered)
            .map(|(s, _)| s.clone())
            .collect()
    }

    pub fn forget_seen(&self) {
        self.state.lock().unwrap().seen.clear();
    }
}

fn answer(status: u16, headers: &[(&'static str, String)], body: String) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (name, value) in headers {
        response.headers_mut().insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    response
}

async fn forward(
    client: &reqwest::Client,
    upstream: &str,
    method: Method,
    seen: &Seen,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut request = client.request(
        reqwest::Method::from_bytes(method.as_str().as_bytes()).unwrap(),
        format!("{upstream}{}", seen.path),
    );
    for (name, value) in &headers {
        if !matches!(name.as_str(), "host" | "content-length" | "connection") {
            request = request.header(name.as_str(), value.as_bytes());
        }
    }
    let upstream_response = match request.body(body).send().await {
        Ok(response) => response,
        Err(err) => return answer(599, &[], format!("proxy: {err}")),
    };
    let status = upstream_response.status().as_u16();
    let mut out_headers = Vec::new();
    for (name, value) in upstream_response.headers() {
        let name = name.as_str().to_owned();
        if !matches!(
            name.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            out_headers.push((leak(name), value.to_str().unwrap_or_default().to_owned()));
        }
    }
    let body = upstream_response.text().await.unwrap_or_default();
    answer(status, &out_headers, body)
}

/// Header names of forwarded answers live as long as the test process.
fn leak(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

/// A listener that only counts what reaches it: connections and bytes. Nothing may.
pub struct Recorder {
    pub base_url: String,
    received: Arc<Mutex<(usize, Vec<u8>)>>,
}

impl Recorder {
    pub async fn start() -> Self {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received: Arc<Mutex<(usize, Vec<u8>)>> = Arc::default();
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                log.lock().unwrap().0 += 1;
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    while let Ok(n) = socket.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        log.lock().unwrap().1.extend_from_slice(&buf[..n]);
                    }
                });
            }
        });
        Self {
            base_url: format!("http://{addr}"),
            received,
        }
    }

    /// (connections, bytes as text)
    pub fn received(&self) -> (usize, String) {
        let received = self.received.lock().unwrap();
        (
            received.0,
            String::from_utf8_lossy(&received.1).into_owned(),
        )
    }
}

/// The simulator behind `kind`, started fresh.
pub fn start_sim(kind: PanelKind) -> SimProcess {
    let panel = match kind {
        PanelKind::Hestia => "hestia",
        PanelKind::PleskRest | PanelKind::PleskXml => "plesk",
        PanelKind::PanelAlpha => "panelalpha",
    };
    sim::spawn(panel, &[])
}

/// The simulator's working credentials in the form `kind` takes. Plesk REST uses the
/// administrator's login and password, so that Basic authorization is exercised.
pub fn credentials(kind: PanelKind, sim: &SimProcess) -> Credentials {
    match kind {
        PanelKind::Hestia => Credentials::AccessKey {
            access_key: sim.cred("access_key"),
            secret_key: Secret::new(sim.cred("secret_key")),
        },
        PanelKind::PleskRest => Credentials::LoginPassword {
            login: sim.cred("login"),
            password: Secret::new(sim.cred("password")),
        },
        PanelKind::PleskXml => Credentials::SecretKey(Secret::new(sim.cred("secret_key"))),
        PanelKind::PanelAlpha => Credentials::Token(Secret::new(sim.cred("token"))),
    }
}

/// The secret among `credentials`.
pub fn credential_secret(credentials: &Credentials) -> String {
    match credentials {
        Credentials::LoginPassword { password, .. } => password.expose().to_owned(),
        Credentials::ApiKey(s) | Credentials::SecretKey(s) | Credentials::Token(s) => {
            s.expose().to_owned()
        }
        Credentials::AccessKey { secret_key, .. } => secret_key.expose().to_owned(),
    }
}

pub fn backend(
    kind: PanelKind,
    endpoint: &str,
    credentials: Credentials,
    request_timeout: Duration,
) -> Arc<dyn Panel> {
    connect(BackendConfig {
        kind,
        endpoint: endpoint.to_owned(),
        credentials,
        insecure: false,
        ca_cert_pem: None,
        request_timeout,
        max_concurrent_requests: 4,
        terraform_version: Some("1.11.4".into()),
    })
    .unwrap_or_else(|e| panic!("cannot build the {} backend: {e:?}", kind.as_str()))
}

/// A simulator, a proxy in front of it, and a backend talking to the proxy.
pub struct Rig {
    pub kind: PanelKind,
    pub sim: SimProcess,
    pub proxy: Proxy,
    pub credentials: Credentials,
    pub panel: Arc<dyn Panel>,
}

impl Rig {
    pub async fn start(kind: PanelKind) -> Self {
        Self::with_timeout(kind, Duration::from_secs(20)).await
    }

    pub async fn with_timeout(kind: PanelKind, request_timeout: Duration) -> Self {
        let sim = start_sim(kind);
        let proxy = Proxy::start(Some(sim.base_url.clone())).await;
        let credentials = credentials(kind, &sim);
        let panel = backend(kind, &proxy.base_url, credentials.clone(), request_timeout);
        Self {
            kind,
            sim,
            proxy,
            credentials,
            panel,
        }
    }

    /// Creates a user straight through (no rule in the way).
    pub async fn create_user(&self, tag: &str) -> User {
        self.panel
            .create_user(&user_spec(tag, PASSWORD))
            .await
            .unwrap_or_else(|e| panic!("{}: creating user {tag}: {e:?}", self.kind.as_str()))
    }

    /// The simulator's state dump.
    pub async fn sim_state(&self) -> serde_json::Value {
        reqwest::get(self.sim.url("/__sim/state"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// How many customers with `login` (PanelAlpha: email) the simulator holds.
    pub async fn users_named(&self, spec: &UserSpec) -> usize {
        let state = self.sim_state().await;
        let (list, key, wanted) = match self.kind {
            PanelKind::Hestia => (&state["users"], None, &spec.login),
            PanelKind::PleskRest | PanelKind::PleskXml => {
                (&state["clients"], Some("login"), &spec.login)
            }
            PanelKind::PanelAlpha => (&state["users"], Some("email"), &spec.email),
        };
        let map = list
            .as_object()
            .unwrap_or_else(|| panic!("no user list in the simulator state: {state}"));
        map.iter()
            .filter(|(name, value)| match key {
                None => *name == wanted,
                Some(key) => value[key].as_str() == Some(wanted.as_str()),
            })
            .count()
    }
}

/// A password the simulators accept.
pub const PASSWORD: &str = "Transp0rt-Secret!9";

pub fn user_spec(tag: &str, password: &str) -> UserSpec {
    UserSpec {
        login: format!("tr{tag}"),
        email: format!("tr.{tag}@example.com"),
        name: format!("Transport {tag}"),
        password: Secret::new(password),
        plan: None,
        suspended: false,
    }
}

/// Whether `seen` is the panel call that creates a user.
pub fn is_user_create(kind: PanelKind, seen: &Seen) -> bool {
    match kind {
        PanelKind::Hestia => seen.body.contains("cmd=v-add-user&"),
        PanelKind::PleskRest => seen.method == "POST" && seen.path == "/api/v2/clients",
        PanelKind::PleskXml => seen.body.contains("<customer><add>"),
        PanelKind::PanelAlpha => seen.method == "POST" && seen.path == "/api/admin/users",
    }
}

/// Whether `seen` only reads.
pub fn is_read(kind: PanelKind, seen: &Seen) -> bool {
    match kind {
        PanelKind::Hestia => seen.body.contains("cmd=v-list-"),
        PanelKind::PleskRest | PanelKind::PanelAlpha => seen.method == "GET",
        PanelKind::PleskXml => seen.body.contains("<get>") || seen.body.contains("<get/>"),
    }
}

/// Whether `seen` deletes a user.
pub fn is_user_delete(kind: PanelKind, seen: &Seen) -> bool {
    match kind {
        PanelKind::Hestia => seen.body.contains("cmd=v-delete-user&"),
        PanelKind::PleskRest => {
            seen.method == "DELETE" && seen.path.starts_with("/api/v2/clients/")
        }
        PanelKind::PleskXml => seen.body.contains("<customer><del>"),
        // PanelAlpha deletes a user's services first, then the user.
        PanelKind::PanelAlpha => seen.method == "DELETE",
    }
}

/// The whole error, as a person or a log could ever see it.
pub fn shown(error: &PanelError) -> String {
    format!("{error} | {error:?}")
}

/// Unwraps the error of `result`, naming the backend otherwise.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(
    kind: PanelKind,
    what: &str,
    result: Result<T, PanelError>,
) -> PanelError {
    match result {
        Ok(value) => panic!("{}: {what} succeeded: {value:?}", kind.as_str()),
        Err(error) => error,
    }
}
