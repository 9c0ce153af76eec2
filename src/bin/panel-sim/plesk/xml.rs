//! The XML API transport: `POST /enterprise/control/agent.php`. Parses the request
//! packet into a small tree, runs the check-up phase Plesk runs before any operator
//! (authentication, packet well-formedness, protocol version, known operators and
//! operations), then executes the operations in order and writes one response packet.
//!
//! Check-up failures answer with a `<system>` node instead of operator nodes
//! (xml/ERRORS.md §1.1); per-operation failures are `result`-level errors (§1.2). The
//! HTTP status is always 200: the official client never reads it and no source says
//! otherwise.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::state::{State, ADMIN_LOGIN};
use super::xml_ops;

/// The protocol version this simulated server speaks (Plesk Obsidian's schema).
pub const PROTOCOL_VERSION: &str = "1.6.9.1";
const MAX_DEPTH: usize = 64;
const MAX_NODES: usize = 100_000;

/// A parsed request element: name, attributes, concatenated text, children.
#[derive(Clone, Debug, Default)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child with that name.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(Node::value)
    }

    pub fn value(&self) -> String {
        self.text.trim().to_owned()
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn open_node(start: &BytesStart<'_>) -> Result<Node, String> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| format!("XML parse error: {e}"))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .unescape_value()
            .map_err(|e| format!("XML parse error: {e}"))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Node {
        name,
        attrs,
        ..Node::default()
    })
}

fn append_text(stack: &mut [Node], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(node) => {
            node.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("Text outside of the root element".into()),
    }
}

/// Attaches a finished element to its parent, or makes it the document root.
fn close_node(stack: &mut [Node], root: &mut Option<Node>, node: Node) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None if root.is_none() => *root = Some(node),
        None => return Err("Extra content at the end of the document".into()),
    }
    Ok(())
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<String, String> {
    match reference.resolve_char_ref() {
        Ok(Some(c)) => Ok(c.to_string()),
        Ok(None) => {
            let name = reference
                .decode()
                .map_err(|e| format!("XML parse error: {e}"))?;
            match name.as_ref() {
                "lt" => Ok("<".into()),
                "gt" => Ok(">".into()),
                "amp" => Ok("&".into()),
                "apos" => Ok("'".into()),
                "quot" => Ok("\"".into()),
                other => Err(format!(
                    "Entity '{}' not defined",
                    super::validate::printable(other)
                )),
            }
        }
        Err(e) => Err(format!("XML parse error: {e}")),
    }
}

/// Parses a request document. Any error is a "wrong format of XML request" (1014).
pub fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut nodes = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("XML parse error: {e}"))?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() || nodes >= MAX_NODES => {
                let _ = start;
                return Err(if root.is_some() {
                    "Extra content at the end of the document".into()
                } else {
                    "The request packet is too large".into()
                });
            }
            Event::Start(start) => {
                nodes += 1;
                if stack.len() >= MAX_DEPTH {
                    return Err("The request packet is nested too deeply".into());
                }
                stack.push(open_node(&start)?);
            }
            Event::Empty(start) => {
                nodes += 1;
                let node = open_node(&start)?;
                close_node(&mut stack, &mut root, node)?;
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("Unexpected end tag")?;
                close_node(&mut stack, &mut root, node)?;
            }
            Event::Text(text) => {
                let text = text.decode().map_err(|e| format!("XML parse error: {e}"))?;
                append_text(&mut stack, &text)?;
            }
            Event::CData(data) => {
                let text = data.decode().map_err(|e| format!("XML parse error: {e}"))?;
                append_text(&mut stack, &text)?;
            }
            Event::GeneralRef(reference) => {
                let text = resolve_reference(&reference)?;
                append_text(&mut stack, &text)?;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err("Premature end of data: unclosed element".into());
    }
    root.ok_or_else(|| "Document is empty".into())
}

/// A response element under construction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct El {
    pub name: String,
    pub text: Option<String>,
    pub children: Vec<El>,
}

impl El {
    pub fn new(name: &str) -> Self {
        El {
            name: name.to_owned(),
            text: None,
            children: Vec::new(),
        }
    }

    /// A leaf with text; an empty string is written as `<name/>`, as Plesk does.
    pub fn leaf(name: &str, text: impl Into<String>) -> Self {
        El {
            name: name.to_owned(),
            text: Some(text.into()),
            children: Vec::new(),
        }
    }

    pub fn with(mut self, child: El) -> Self {
        self.children.push(child);
        self
    }

    pub fn leaf_child(self, name: &str, text: impl Into<String>) -> Self {
        self.with(El::leaf(name, text))
    }

    pub fn push(&mut self, child: El) {
        self.children.push(child);
    }

    fn write(&self, out: &mut String, pretty: bool, depth: usize) {
        if pretty {
            out.extend(std::iter::repeat_n("  ", depth));
        }
        out.push('<');
        out.push_str(&self.name);
        let text = self.text.as_deref().unwrap_or_default();
        if self.children.is_empty() && text.is_empty() {
            out.push_str("/>");
        } else {
            out.push('>');
            escape_into(out, text);
            if !self.children.is_empty() {
                if pretty {
                    out.push('\n');
                }
                for child in &self.children {
                    child.write(out, pretty, depth + 1);
                }
                if pretty {
                    out.extend(std::iter::repeat_n("  ", depth));
                }
            }
            out.push_str("</");
            out.push_str(&self.name);
            out.push('>');
        }
        if pretty {
            out.push('\n');
        }
    }
}

/// Escapes `text` into `out`, copying runs of plain characters in one go (answers to
/// list requests carry megabytes of text).
fn escape_into(out: &mut String, text: &str) {
    let mut plain_from = 0;
    for (index, c) in text.char_indices() {
        let replacement = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&apos;",
            // XML 1.0 cannot carry most control characters, even escaped.
            c if c.is_control() && !matches!(c, '\n' | '\r' | '\t') => "",
            _ => continue,
        };
        out.push_str(&text[plain_from..index]);
        out.push_str(replacement);
        plain_from = index + c.len_utf8();
    }
    out.push_str(&text[plain_from..]);
}

/// Serialises a response packet with the server's protocol version.
pub fn render_packet(children: Vec<El>, pretty: bool) -> String {
    // Written by hand (not as an `El`) because the version is an attribute, which `El`
    // does not model; the children go straight into the one output buffer.
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<packet version=\"");
    out.push_str(PROTOCOL_VERSION);
    out.push('"');
    if children.is_empty() {
        out.push_str("/>");
    } else {
        out.push('>');
        if pretty {
            out.push('\n');
        }
        for child in &children {
            child.write(&mut out, pretty, 1);
        }
        out.push_str("</packet>");
    }
    if pretty {
        out.push('\n');
    }
    out
}

/// The `<system>` node of a check-up failure.
pub fn system_error(code: u32, text: &str) -> El {
    El::new("system")
        .leaf_child("status", "error")
        .leaf_child("errcode", code.to_string())
        .leaf_child("errtext", text)
}

fn xml_response(body: String) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    response
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Who a request authenticated as, or the system error to answer with.
fn authenticate(state: &State, headers: &HeaderMap) -> Result<(), El> {
    if let Some(key) = header_text(headers, "KEY") {
        return match state.authenticate_key(key.trim()) {
            Some(secret) if secret.login == ADMIN_LOGIN => Ok(()),
            // Only the administrator's identity is modelled; other logins lack the
            // "remote API" permission, which Plesk reports as 1006.
            Some(_) => Err(system_error(1006, "Permission denied.")),
            None => Err(system_error(11003, "Secret key validation failed.")),
        };
    }
    let login = header_text(headers, "HTTP_AUTH_LOGIN");
    let password = header_text(headers, "HTTP_AUTH_PASSWD");
    match (login, password) {
        (Some(login), Some(password)) => match state.authenticate_password(login, password) {
            Some(client) if client.login == ADMIN_LOGIN => Ok(()),
            Some(_) => Err(system_error(1006, "Permission denied.")),
            None => Err(system_error(
                1001,
                "Authentication failed - wrong password.",
            )),
        },
        _ => Err(system_error(
            1001,
            "Authentication failed - no credentials given.",
        )),
    }
}

/// Request versions accepted: none (= latest) or any dotted number up to ours
/// (the official client's tests: "1.6" and "1.6.5" work, "100.0.0" gives 1005).
fn version_supported(version: &str) -> bool {
    let parse = |text: &str| -> Option<Vec<u32>> {
        let parts: Option<Vec<u32>> = text.split('.').map(|p| p.parse::<u32>().ok()).collect();
        parts.filter(|p| !p.is_empty() && p.len() <= 4)
    };
    let (Some(mut requested), Some(mut ours)) = (parse(version.trim()), parse(PROTOCOL_VERSION))
    else {
        return false;
    };
    requested.resize(4, 0);
    ours.resize(4, 0);
    requested <= ours
}

/// Handles one XML API request end to end.
pub fn handle(sim: &super::PleskSim, headers: &HeaderMap, body: &[u8]) -> Response {
    let pretty =
        header_text(headers, "HTTP_PRETTY_PRINT").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let answer = |children: Vec<El>| xml_response(render_packet(children, pretty));
    {
        let state = sim.read();
        if let Err(error) = authenticate(&state, headers) {
            return answer(vec![error]);
        }
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return answer(vec![system_error(
            1014,
            "Parser error: Request is invalid. Input is not proper UTF-8.",
        )]);
    };
    let packet = match parse(text) {
        Ok(packet) => packet,
        Err(message) => {
            return answer(vec![system_error(
                1014,
                &format!("Parser error: Request is invalid. {message}"),
            )])
        }
    };
    if packet.name != "packet" {
        return answer(vec![system_error(
            1014,
            "Parser error: Request is invalid. The root element must be 'packet'.",
        )]);
    }
    if let Some(version) = packet.attr("version") {
        if !version_supported(version) {
            return answer(vec![system_error(
                1005,
                "XML API protocol version not supported.",
            )]);
        }
    }
    let plan = match xml_ops::plan_packet(&packet) {
        Ok(plan) => plan,
        Err(message) => {
            return answer(vec![system_error(
                1014,
                &format!("Parser error: Request is invalid. {message}"),
            )])
        }
    };
    let children = {
        let mut state = sim.write();
        xml_ops::execute(plan, &mut state)
    };
    answer(children)
}

/// `operator.operation` of the first operation in a packet, for request counting;
/// stops reading as soon as it is found.
pub fn first_operation(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if path.len() == 2 && path[1] != "request-settings" {
                    return Some(format!("{}.{}", path[1], name));
                }
                path.push(name);
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                if path.len() == 2 && path[1] != "request-settings" {
                    return Some(format!("{}.{}", path[1], name));
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_text_entities_and_nesting() {
        let node = parse(
            "<?xml version='1.0'?><packet version=\"1.6\"><a><b>x &amp; &#65;</b><c/></a></packet>",
        )
        .unwrap();
        assert_eq!(node.attr("version"), Some("1.6"));
        let a = node.child("a").unwrap();
        assert_eq!(a.text_of("b").as_deref(), Some("x & A"));
        assert!(a.child("c").is_some());
    }

    #[test]
    fn rejects_malformed_documents() {
        assert!(parse("<packet><wrongly formatted xml</packet>").is_err());
        assert!(parse("<packet><a></b></packet>").is_err());
        assert!(parse("<packet>").is_err());
        assert!(parse("").is_err());
        assert!(parse("<a/><b/>").is_err());
        assert!(parse("<a>&bogus;</a>").is_err());
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn versions_up_to_ours_are_accepted() {
        assert!(version_supported("1.6"));
        assert!(version_supported("1.6.5"));
        assert!(version_supported("1.6.9.1"));
        assert!(!version_supported("1.6.9.2"));
        assert!(!version_supported("100.0.0"));
        assert!(!version_supported("abc"));
        assert!(!version_supported(""));
    }

    #[test]
    fn renders_empty_elements_and_escapes() {
        let packet = render_packet(
            vec![El::new("a").leaf_child("b", "").leaf_child("c", "<&>")],
            false,
        );
        assert!(packet
            .ends_with("<packet version=\"1.6.9.1\"><a><b/><c>&lt;&amp;&gt;</c></a></packet>"));
    }

    #[test]
    fn first_operation_names_operator_and_operation() {
        let body = b"<packet><customer><get><filter/></get></customer></packet>";
        assert_eq!(first_operation(body).as_deref(), Some("customer.get"));
        assert_eq!(
            first_operation(b"<packet><ip><get/></ip></packet>").as_deref(),
            Some("ip.get")
        );
        assert_eq!(first_operation(b"garbage"), None);
    }
}
