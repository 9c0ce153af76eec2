//! The 1.6.9.1 response schema outline (reference/plesk/xml/schemas) as a tree, and a
//! structural check of simulator answers against it: every element must be one the
//! schema allows at that place, in the schema's order.

use super::{Tree, REFERENCE};

#[derive(Debug, Clone)]
pub struct Outline {
    pub name: String,
    /// `true` for an `anyType`-like node whose content is `<*>` (anything goes).
    pub any: bool,
    pub children: Vec<Outline>,
}

struct Line {
    indent: usize,
    name: String,
    element: bool,
    wildcard: bool,
}

fn lines(text: &str) -> Vec<Line> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let indent = l.len() - l.trim_start().len();
            let body = l.trim_start();
            let name = body
                .split("  ")
                .next()
                .unwrap_or_default()
                .trim()
                .to_owned();
            let element =
                !(body.starts_with('(') || body.starts_with('<') || body.starts_with('@'));
            Line {
                indent,
                name,
                element,
                wildcard: body.starts_with("<*>"),
            }
        })
        .collect()
}

/// The subtree of the element at `start` (an element line), compositors flattened.
fn build(lines: &[Line], start: usize) -> (Outline, usize) {
    let mut node = Outline {
        name: lines[start].name.clone(),
        any: false,
        children: Vec::new(),
    };
    let own = lines[start].indent;
    let mut index = start + 1;
    while index < lines.len() && lines[index].indent > own {
        let line = &lines[index];
        if line.wildcard {
            node.any = true;
            index += 1;
        } else if line.element {
            let (child, next) = build(lines, index);
            node.children.push(child);
            index = next;
        } else {
            index += 1;
        }
    }
    (node, index)
}

/// The response `packet` of the output outline.
pub fn response_packet() -> Outline {
    let path = format!("{REFERENCE}/xml/schemas/agent_output-1.6.9.1.outline.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let lines = lines(&text);
    let start = lines
        .iter()
        .position(|l| l.indent == 0 && l.name == "packet")
        .expect("the outline has a packet");
    build(&lines, start).0
}

/// Mismatches of `answer` (an element) against `spec` (the same element in the schema).
pub fn check(answer: &Tree, spec: &Outline, path: &str, out: &mut Vec<String>) {
    if spec.any {
        return;
    }
    let mut last = 0usize;
    for child in &answer.children {
        let here = format!("{path}/{}", child.name);
        match spec.children.iter().position(|c| c.name == child.name) {
            None => out.push(format!(
                "{here}: not in the schema here (allowed: {:?})",
                spec.children.iter().map(|c| &c.name).collect::<Vec<_>>()
            )),
            Some(index) => {
                if index < last {
                    out.push(format!("{here}: out of schema order"));
                }
                last = index;
                check(child, &spec.children[index], &here, out);
            }
        }
    }
}

/// Checks a whole answer packet; panics with every mismatch.
pub fn assert_matches_schema(xml: &str) {
    let tree = Tree::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"));
    let mut out = Vec::new();
    check(&tree, &response_packet(), "packet", &mut out);
    assert!(out.is_empty(), "{}\n{xml}", out.join("\n"));
}

#[test]
fn the_outline_parses_into_operators() {
    let packet = response_packet();
    for operator in [
        "dns",
        "mail",
        "ftp-user",
        "subdomain",
        "certificate",
        "server",
        "webspace",
        "database",
    ] {
        assert!(
            packet.children.iter().any(|c| c.name == operator),
            "{operator}"
        );
    }
    let mut out = Vec::new();
    let bad = Tree::parse("<packet><dns><add_rec><result><status>ok</status><bogus/></result></add_rec></dns></packet>").unwrap();
    check(&bad, &packet, "packet", &mut out);
    assert_eq!(out.len(), 1, "{out:?}");
}
