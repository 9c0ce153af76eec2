//! Writing Terraform configuration: literal values and names.

use crate::tfvalue::{Number, Value};

/// An HCL quoted string: `"` and `\` escaped, control characters as escapes, and
/// `${` / `%{` doubled so a value is never read as a template.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as an HCL literal (strings, numbers, bools and collections of them).
pub fn literal(value: &Value) -> String {
    match value {
        Value::String(text) => string(text),
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(n) => n.to_decimal_string(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(items) | Value::Object(items) => {
            let fields: Vec<String> = items
                .iter()
                .map(|(k, v)| format!("{} = {}", string(k), literal(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Null | Value::Unknown(_) => "null".to_owned(),
    }
}

/// A Terraform resource name made from a natural key: lowercase letters, digits and
/// `_`, starting with a letter (`Example.COM` -> `example_com`, `2fast` -> `r_2fast`).
pub fn name(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut last_underscore = false;
    for c in key.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
            last_underscore = false;
        } else if !last_underscore && !out.is_empty() {
            out.push('_');
            last_underscore = true;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        return "r".to_owned();
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "r_");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_never_become_templates_or_break_out() {
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("${x} %{y} $z"), r#""$${x} %%{y} $z""#);
        assert_eq!(string("line\nnext"), r#""line\nnext""#);
        assert_eq!(string("bücher"), "\"bücher\"");
    }

    #[test]
    fn names_are_valid_identifiers() {
        assert_eq!(name("Example.COM"), "example_com");
        assert_eq!(name("alice@example.com"), "alice_example_com");
        assert_eq!(name("2fast"), "r_2fast");
        assert_eq!(name("bücher.de"), "b_cher_de");
        assert_eq!(name("..."), "r");
        assert_eq!(name("bob/bob_shop"), "bob_bob_shop");
    }

    #[test]
    fn literals() {
        assert_eq!(literal(&Value::Bool(true)), "true");
        assert_eq!(literal(&Value::int(3)), "3");
        assert_eq!(
            literal(&Value::List(vec![Value::string("a"), Value::string("b")])),
            r#"["a", "b"]"#
        );
    }
}
