//! Request input and a small Laravel-style validator.
//!
//! Input is read the way Laravel reads it: the JSON body (when the Content-Type says JSON) or
//! the form body, with the query string filling in keys the body lacks; strings are trimmed
//! (except passwords) and empty strings become null (the `TrimStrings` and
//! `ConvertEmptyStringsToNull` middleware of a stock Laravel app). Messages are Laravel 10's
//! `lang/en/validation.php` wording with the attribute's underscores turned into spaces.

use serde_json::{Map, Value};
use url::form_urlencoded;

use super::reply::ApiError;

/// Fields Laravel's `TrimStrings` leaves alone.
const UNTRIMMED: &[&str] = &["password", "password_confirmation", "current_password"];

/// The merged request input.
#[derive(Debug, Clone, Default)]
pub struct Input {
    fields: Map<String, Value>,
}

impl Input {
    /// Builds the input from the raw query string, Content-Type and body.
    ///
    /// Assumption (Laravel): a body that is not valid JSON, or JSON that is not an object,
    /// contributes nothing, so the request then fails the `required` rules instead of
    /// erroring on the parse. A body without a JSON or form Content-Type is ignored.
    pub fn parse(query: Option<&str>, content_type: Option<&str>, body: &[u8]) -> Self {
        let mut fields = Map::new();
        let content_type = content_type.unwrap_or("").to_ascii_lowercase();
        if content_type.contains("/json") || content_type.contains("+json") {
            if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
                fields = map;
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            for (key, value) in form_urlencoded::parse(body) {
                fields.insert(key.into_owned(), Value::String(value.into_owned()));
            }
        }
        if let Some(query) = query {
            for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                if !fields.contains_key(key.as_ref()) {
                    fields.insert(key.into_owned(), Value::String(value.into_owned()));
                }
            }
        }
        for (key, value) in fields.iter_mut() {
            normalise(value, !UNTRIMMED.contains(&key.as_str()));
        }
        Input { fields }
    }

    /// Input from a JSON object, normalised as a request body is (used by the seed, so seeded
    /// objects pass the same rules as the API's).
    pub fn from_json(value: &Value) -> Self {
        let mut fields = value.as_object().cloned().unwrap_or_default();
        for (key, value) in fields.iter_mut() {
            normalise(value, !UNTRIMMED.contains(&key.as_str()));
        }
        Input { fields }
    }

    /// The value of a field; `None` when absent or null.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.fields.get(field).filter(|value| !value.is_null())
    }

    /// Whether the field was sent at all (even as null).
    pub fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }
}

fn normalise(value: &mut Value, trim: bool) {
    match value {
        Value::String(text) => {
            if trim {
                let trimmed = text.trim_matches(|c: char| {
                    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
                });
                if trimmed.len() != text.len() {
                    *text = trimmed.to_string();
                }
            }
            if text.is_empty() {
                *value = Value::Null;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| normalise(item, trim)),
        Value::Object(map) => map.values_mut().for_each(|item| normalise(item, trim)),
        _ => {}
    }
}

/// Laravel's display name for a field: `plan_id` -> `plan id`.
pub fn attribute(field: &str) -> String {
    field.replace('_', " ")
}

/// Rules for a string field.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text {
    pub required: bool,
    pub min: Option<usize>,
    pub max: Option<usize>,
    pub email: bool,
}

impl Text {
    pub const REQUIRED: Text = Text {
        required: true,
        min: None,
        max: None,
        email: false,
    };
    pub const OPTIONAL: Text = Text {
        required: false,
        min: None,
        max: None,
        email: false,
    };
}

/// Collects errors field by field, in rule order, like `Validator::make(...)->validate()`.
///
/// Assumption: optional fields are `nullable`, so an explicit null passes; the vendor client
/// sends nulls for fields it has no value for.
pub struct Validator<'a> {
    input: &'a Input,
    errors: Vec<(String, Vec<String>)>,
}

impl<'a> Validator<'a> {
    pub fn new(input: &'a Input) -> Self {
        Validator {
            input,
            errors: Vec::new(),
        }
    }

    pub fn fail(&mut self, field: &str, message: String) {
        match self.errors.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message),
            None => self.errors.push((field.to_string(), vec![message])),
        }
    }

    /// Whether the field was sent with a value (not absent, not null).
    pub fn input_has(&self, field: &str) -> bool {
        self.input.get(field).is_some()
    }

    pub fn has_failed(&self, field: &str) -> bool {
        self.errors.iter().any(|(name, _)| name == field)
    }

    /// `required` stops the field's other rules when it fails (an implicit rule).
    fn present(&mut self, field: &str, required: bool) -> Option<&'a Value> {
        let value = self.input.get(field);
        let empty = match value {
            None => true,
            Some(Value::Array(items)) => items.is_empty(),
            Some(_) => false,
        };
        if empty {
            if required {
                self.fail(
                    field,
                    format!("The {} field is required.", attribute(field)),
                );
            }
            return None;
        }
        value
    }

    pub fn text(&mut self, field: &str, rules: Text) -> Option<String> {
        let value = self.present(field, rules.required)?;
        let name = attribute(field);
        let Some(text) = value.as_str() else {
            self.fail(field, format!("The {name} field must be a string."));
            if rules.email {
                self.fail(
                    field,
                    format!("The {name} field must be a valid email address."),
                );
            }
            return None;
        };
        let before = self.errors.len();
        if rules.email && !is_email(text) {
            self.fail(
                field,
                format!("The {name} field must be a valid email address."),
            );
        }
        let length = text.chars().count();
        if let Some(min) = rules.min.filter(|min| length < *min) {
            self.fail(
                field,
                format!("The {name} field must be at least {min} characters."),
            );
        }
        if let Some(max) = rules.max.filter(|max| length > *max) {
            self.fail(
                field,
                format!("The {name} field must not be greater than {max} characters."),
            );
        }
        (self.errors.len() == before).then(|| text.to_string())
    }

    /// `integer`: a JSON integer, an integral float or a string of digits (PHP's
    /// `FILTER_VALIDATE_INT`).
    pub fn integer(&mut self, field: &str, required: bool) -> Option<i64> {
        let value = self.present(field, required)?;
        let number = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
            Value::String(s) => s.trim().parse::<i64>().ok(),
            _ => None,
        };
        if number.is_none() {
            self.fail(
                field,
                format!("The {} field must be an integer.", attribute(field)),
            );
        }
        number
    }

    /// `integer|min:..|max:..`, with Laravel's numeric size messages.
    pub fn integer_in(&mut self, field: &str, required: bool, min: i64, max: i64) -> Option<i64> {
        let number = self.integer(field, required)?;
        let name = attribute(field);
        if number < min {
            self.fail(field, format!("The {name} field must be at least {min}."));
            return None;
        }
        if number > max {
            self.fail(
                field,
                format!("The {name} field must not be greater than {max}."),
            );
            return None;
        }
        Some(number)
    }

    /// `required_if:other,value`: Laravel's message for a field a chosen option needs.
    pub fn require_when(&mut self, field: &str, other: &str, value: &str) {
        self.fail(
            field,
            format!(
                "The {} field is required when {} is {value}.",
                attribute(field),
                attribute(other)
            ),
        );
    }

    /// `boolean`: true, false, 1, 0, "1", "0".
    pub fn boolean(&mut self, field: &str, required: bool) -> Option<bool> {
        let value = self.present(field, required)?;
        let flag = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) if n.as_u64() == Some(1) => Some(true),
            Value::Number(n) if n.as_u64() == Some(0) => Some(false),
            Value::String(s) if s == "1" => Some(true),
            Value::String(s) if s == "0" => Some(false),
            _ => None,
        };
        if flag.is_none() {
            self.fail(
                field,
                format!("The {} field must be true or false.", attribute(field)),
            );
        }
        flag
    }

    /// `string|in:...`.
    pub fn one_of(&mut self, field: &str, required: bool, allowed: &[&str]) -> Option<String> {
        let text = self.text(
            field,
            Text {
                required,
                ..Text::OPTIONAL
            },
        )?;
        if allowed.contains(&text.as_str()) {
            Some(text)
        } else {
            self.fail(
                field,
                format!("The selected {} is invalid.", attribute(field)),
            );
            None
        }
    }

    /// `array` (a JSON object or list).
    pub fn object(&mut self, field: &str) -> Option<&'a Value> {
        let value = self.present(field, false)?;
        if value.is_object() || value.is_array() {
            Some(value)
        } else {
            self.fail(
                field,
                format!("The {} field must be an array.", attribute(field)),
            );
            None
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// Laravel's default `email` rule (RFC validation): one `@`, a dot-atom local part and a
/// host name. A top-level domain is not required (`a@b` passes), as in RFC validation.
pub fn is_email(text: &str) -> bool {
    let Some((local, host)) = text.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || "!#$%&'*+/=?^_`{|}~.-".contains(c)
                || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
        });
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| {
                    c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric())
                })
        });
    local_ok && host_ok
}

/// A fully qualified ASCII host name with at least two labels and a non-numeric TLD.
///
/// Assumption: the hosting server behind PanelAlpha refuses names that are not valid DNS
/// names; the seed only says "string". Internationalised names must be sent as punycode.
pub fn is_domain_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| is_dns_label(label))
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

pub fn is_dns_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(body: Value) -> Input {
        Input::parse(None, Some("application/json"), body.to_string().as_bytes())
    }

    #[test]
    fn empty_strings_count_as_missing_and_passwords_keep_their_spaces() {
        let input = input(json!({"email": "  ", "password": " secret12 ", "first_name": " Ann "}));
        assert!(input.get("email").is_none());
        assert_eq!(input.get("password"), Some(&json!(" secret12 ")));
        assert_eq!(input.get("first_name"), Some(&json!("Ann")));
    }

    #[test]
    fn body_wins_over_query_and_bad_json_is_empty_input() {
        let merged = Input::parse(
            Some("email=q%40x.io&page=2"),
            Some("application/json"),
            br#"{"email":"b@x.io"}"#,
        );
        assert_eq!(merged.get("email"), Some(&json!("b@x.io")));
        assert_eq!(merged.get("page"), Some(&json!("2")));
        let broken = Input::parse(None, Some("application/json"), b"{not json");
        assert!(broken.get("email").is_none());
    }

    #[test]
    fn rules_produce_laravel_messages() {
        let input = input(json!({"email": 5, "password": "short", "plan_id": "x", "flag": "yes"}));
        let mut v = Validator::new(&input);
        v.text(
            "email",
            Text {
                required: true,
                email: true,
                max: Some(255),
                min: None,
            },
        );
        v.text(
            "password",
            Text {
                required: true,
                min: Some(8),
                ..Text::OPTIONAL
            },
        );
        v.integer("plan_id", true);
        v.boolean("flag", false);
        v.text("name", Text::REQUIRED);
        let Err(ApiError::Validation(errors)) = v.finish() else {
            panic!("expected validation errors");
        };
        assert_eq!(
            errors,
            vec![
                (
                    "email".to_string(),
                    vec![
                        "The email field must be a string.".to_string(),
                        "The email field must be a valid email address.".to_string()
                    ]
                ),
                (
                    "password".to_string(),
                    vec!["The password field must be at least 8 characters.".to_string()]
                ),
                (
                    "plan_id".to_string(),
                    vec!["The plan id field must be an integer.".to_string()]
                ),
                (
                    "flag".to_string(),
                    vec!["The flag field must be true or false.".to_string()]
                ),
                (
                    "name".to_string(),
                    vec!["The name field is required.".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn email_and_domain_syntax() {
        for good in ["a@b", "first.last+tag@example.co.uk", "o'neil@x.io"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "@x.io",
            "a@",
            "a b@x.io",
            "a..b@x.io",
            "a@-x.io",
            "a@x..io",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(is_domain_name("shop.example.com"));
        for bad in ["localhost", "a..b", "-a.com", "a.123", "ümlaut.de", "A.COM"] {
            assert!(!is_domain_name(bad), "{bad}");
        }
    }
}
