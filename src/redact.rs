//! Secret redaction for every text that leaves the provider: diagnostics and log lines.
//!
//! A panel that echoes a request back in an error message returns a secret in the
//! spelling of its own format, and a proxy or log pipeline may add another: raw,
//! form-encoded (`+` for a space), percent-encoded (`%20`, either hex case), JSON-escaped
//! (`\"`, `\/`, `\u00fc`, surrogate pairs), XML/HTML-escaped (`&amp;`, `&#039;`,
//! `&#x27;`), Rust `Debug`-escaped, lower- or upper-cased, base64, or inside a Basic
//! authorization token. Instead of listing every combination, the matcher decodes
//! these spellings while it compares, one character of the secret at a time, so a
//! mixture (a JSON-escaped quote next to a percent-encoded space, in upper case) is
//! found as well. Base64 forms cannot be decoded in place (they are aligned to three
//! bytes), so they are searched as secrets of their own.
//!
//! This module depends on nothing else in the crate: the backends use it for their
//! errors and log lines, the logging layer for every line it writes.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine as _;

/// Secrets with fewer characters are not redacted: one or two characters would shred
/// ordinary text, and every panel refuses passwords and keys that short.
pub const MIN_SECRET_CHARS: usize = 3;

/// What [`Redactor::redact`] puts in place of a secret.
pub const MARKER: &str = "<redacted>";

/// The spellings one character of a secret may take after case folding: itself, its
/// lowercase and its uppercase form (`ß` folds to `SS`, so a form may be longer).
#[derive(Clone, Debug, PartialEq)]
struct CharForms(Vec<Vec<char>>);

impl CharForms {
    fn of(c: char) -> Self {
        let mut forms = vec![vec![c]];
        for folded in [
            c.to_lowercase().collect::<Vec<_>>(),
            c.to_uppercase().collect(),
        ] {
            if !forms.contains(&folded) {
                forms.push(folded);
            }
        }
        Self(forms)
    }
}

/// One secret spelling to search for.
#[derive(Clone)]
struct Needle {
    chars: Vec<CharForms>,
    /// Bytes a match can start with (the first character's forms, and the lead bytes
    /// of its escaped spellings), to skip most positions without decoding anything.
    first_bytes: Vec<u8>,
}

impl Needle {
    fn new(text: &str) -> Self {
        let chars: Vec<CharForms> = text.chars().map(CharForms::of).collect();
        let mut first_bytes = vec![b'%', b'\\', b'&'];
        if let Some(first) = chars.first() {
            for form in &first.0 {
                if let Some(c) = form.first() {
                    let mut buf = [0u8; 4];
                    first_bytes.push(c.encode_utf8(&mut buf).as_bytes()[0]);
                    if *c == ' ' {
                        first_bytes.push(b'+');
                    }
                }
            }
        }
        first_bytes.sort_unstable();
        first_bytes.dedup();
        Self { chars, first_bytes }
    }

    /// The end of a match starting at `start`, if there is one.
    fn match_at(&self, text: &str, start: usize) -> Option<usize> {
        // Depth-first over the possible decodings: a `%` may be a literal percent sign
        // or the start of `%25`; every step consumes text, so the search ends. A state
        // is (text position, secret character, (form, characters of it matched)).
        let mut stack: Vec<(usize, usize, usize, usize)> = vec![(start, 0, 0, 0)];
        let mut decoded = Vec::with_capacity(3);
        while let Some((at, index, form, done)) = stack.pop() {
            let Some(forms) = self.chars.get(index) else {
                return Some(at);
            };
            decodings(text, at, &mut decoded);
            for &(c, len) in &decoded {
                let candidates: &[Vec<char>] = if done == 0 {
                    &forms.0
                } else {
                    std::slice::from_ref(&forms.0[form])
                };
                for (offset, spelled) in candidates.iter().enumerate() {
                    if spelled.get(done) != Some(&c) {
                        continue;
                    }
                    let form = if done == 0 { offset } else { form };
                    if done + 1 == spelled.len() {
                        stack.push((at + len, index + 1, 0, 0));
                    } else {
                        stack.push((at + len, index, form, done + 1));
                    }
                }
            }
        }
        None
    }
}

/// Every character the text at `at` may stand for, with the bytes it takes.
fn decodings(text: &str, at: usize, out: &mut Vec<(char, usize)>) {
    out.clear();
    let rest = &text[at..];
    let Some(raw) = rest.chars().next() else {
        return;
    };
    out.push((raw, raw.len_utf8()));
    match raw {
        '+' => out.push((' ', 1)),
        '%' => out.extend(percent_decoded(rest)),
        '\\' => out.extend(backslash_decoded(rest)),
        '&' => out.extend(entity_decoded(rest)),
        _ => {}
    }
}

fn hex_value(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// `%XX` (one to four of them, forming one UTF-8 character).
fn percent_decoded(rest: &str) -> Option<(char, usize)> {
    let byte_at = |i: usize| -> Option<u8> {
        let group = rest.get(i * 3..i * 3 + 3)?;
        let digits = group.strip_prefix('%')?;
        hex_value(digits).and_then(|v| u8::try_from(v).ok())
    };
    let lead = byte_at(0)?;
    let len = match lead {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => return None,
    };
    let mut bytes = [0u8; 4];
    bytes[0] = lead;
    for (i, slot) in bytes.iter_mut().enumerate().take(len).skip(1) {
        *slot = byte_at(i)?;
    }
    let c = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    Some((c, len * 3))
}

/// JSON (`\"`, `\/`, `\n`, `\u00e9`, surrogate pairs), Rust `Debug` (`\u{e9}`, `\'`)
/// and `\xHH` (ASCII only) escapes.
fn backslash_decoded(rest: &str) -> Option<(char, usize)> {
    let mut chars = rest.chars();
    chars.next(); // the backslash
    let escape = chars.next()?;
    let simple = match escape {
        '"' | '\\' | '/' | '\'' => Some(escape),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        '0' => Some('\0'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c, 2));
    }
    match escape {
        'x' => {
            let value = hex_value(rest.get(2..4)?)?;
            let c = char::from_u32(value).filter(char::is_ascii)?;
            Some((c, 4))
        }
        'u' if rest.get(2..3) == Some("{") => {
            let close = rest.get(3..)?.find('}')?;
            if close == 0 || close > 6 {
                return None;
            }
            let c = char::from_u32(hex_value(rest.get(3..3 + close)?)?)?;
            Some((c, 3 + close + 1))
        }
        'u' => {
            let unit = hex_value(rest.get(2..6)?)?;
            if (0xd800..0xdc00).contains(&unit) {
                let low_digits = rest.get(6..12)?;
                let low = hex_value(low_digits.strip_prefix("\\u")?)?;
                if !(0xdc00..0xe000).contains(&low) {
                    return None;
                }
                let c = char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))?;
                Some((c, 12))
            } else {
                Some((char::from_u32(unit)?, 6))
            }
        }
        _ => None,
    }
}

/// XML/HTML character references: the five predefined entities and `&#NN;` / `&#xHH;`.
fn entity_decoded(rest: &str) -> Option<(char, usize)> {
    // The longest reference we decode is `&#x10FFFF;` (10 bytes); leading zeros as in
    // PHP's `&#039;` fit too.
    let mut window_end = rest.len().min(16);
    while !rest.is_char_boundary(window_end) {
        window_end -= 1;
    }
    let window = rest.get(1..window_end)?;
    let end = window.find(';')?;
    let name = &window[..end];
    let c = if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => hex_value(hex)?,
            None if !number.is_empty() && number.chars().all(|c| c.is_ascii_digit()) => {
                number.parse().ok()?
            }
            None => return None,
        };
        char::from_u32(value)?
    } else {
        match name.to_ascii_lowercase().as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => return None,
        }
    };
    Some((c, 1 + end + 1))
}

/// A set of secrets to remove from text, in every spelling the module docs list.
/// Cloning is cheap (the spellings are shared).
#[derive(Clone, Default)]
pub struct Redactor {
    needles: Vec<Arc<Needle>>,
    /// Union of the needles' first bytes.
    starts: Vec<u8>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("spellings", &self.needles.len())
            .finish()
    }
}

impl Redactor {
    pub const fn new() -> Self {
        Self {
            needles: Vec::new(),
            starts: Vec::new(),
        }
    }

    /// A redactor for `secrets`.
    pub fn of<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut redactor = Self::new();
        for secret in secrets {
            redactor.add(secret);
        }
        redactor
    }

    /// This redactor plus `secrets`.
    pub fn with<'a>(&self, secrets: impl IntoIterator<Item = &'a str>) -> Self {
        let mut redactor = self.clone();
        for secret in secrets {
            redactor.add(secret);
        }
        redactor
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// Adds `secret` (and its base64 forms). Secrets shorter than
    /// [`MIN_SECRET_CHARS`] are ignored.
    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() < MIN_SECRET_CHARS {
            return;
        }
        self.push(secret);
        self.push_base64(secret.as_bytes());
    }

    /// Adds the Basic authorization token of `login` + `secret` (the secret itself is
    /// added too).
    pub fn add_basic_auth(&mut self, login: &str, secret: &str) {
        if secret.chars().count() < MIN_SECRET_CHARS {
            return;
        }
        self.add(secret);
        self.push_base64(format!("{login}:{secret}").as_bytes());
    }

    fn push_base64(&mut self, bytes: &[u8]) {
        use base64::engine::general_purpose::{
            STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD,
        };
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            self.push(&engine.encode(bytes));
        }
    }

    fn push(&mut self, spelling: &str) {
        let needle = Needle::new(spelling);
        let known = self.needles.iter().any(|n| n.chars == needle.chars);
        if known {
            return;
        }
        self.starts.extend_from_slice(&needle.first_bytes);
        self.starts.sort_unstable();
        self.starts.dedup();
        self.needles.push(Arc::new(needle));
    }

    /// `text` with every secret replaced by [`MARKER`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        self.redact_with(text, MARKER)
    }

    /// `text` with every secret replaced by `marker`.
    pub fn redact_with<'a>(&self, text: &'a str, marker: &str) -> Cow<'a, str> {
        let ranges = self.matches(text);
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (start, end) in ranges {
            out.push_str(&text[copied..start]);
            out.push_str(marker);
            copied = end;
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// The first `max_chars` characters of `text`, redacted, with `…` when cut. Only
    /// as much text as can hold a secret that starts within the excerpt is scanned, so
    /// a huge answer costs no more than a short one, and a secret straddling the cut is
    /// still removed whole rather than half shown.
    pub fn excerpt(&self, text: &str, max_chars: usize) -> String {
        self.excerpt_with(text, max_chars, MARKER)
    }

    /// [`Redactor::excerpt`] with `marker` in place of each secret.
    pub fn excerpt_with(&self, text: &str, max_chars: usize, marker: &str) -> String {
        // The longest spelling of one character is 12 bytes (`\uD83D\uDE00`,
        // `%F0%9F%98%80`); a match starting inside the excerpt ends within this window.
        let longest = self
            .needles
            .iter()
            .map(|n| n.chars.len())
            .max()
            .unwrap_or(0);
        let window_chars = max_chars.saturating_add(longest.saturating_mul(12));
        let window_end = text
            .char_indices()
            .nth(window_chars)
            .map_or(text.len(), |(at, _)| at);
        let redacted = self.redact_with(&text[..window_end], marker);
        let mut excerpt: String = redacted.chars().take(max_chars).collect();
        if excerpt.len() < redacted.len() || window_end < text.len() {
            excerpt.push('…');
        }
        excerpt
    }

    /// Sorted, merged byte ranges of every secret spelling in `text`, and of every PEM
    /// private key block (see [`private_key_blocks`]).
    fn matches(&self, text: &str) -> Vec<(usize, usize)> {
        let mut ranges = self.needle_matches(text);
        let blocks = private_key_blocks(text);
        if blocks.is_empty() {
            return ranges;
        }
        ranges.extend(blocks);
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }

    /// Sorted, merged byte ranges of every secret spelling in `text`.
    fn needle_matches(&self, text: &str) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        if self.needles.is_empty() {
            return ranges;
        }
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            let byte = bytes[at];
            if self.starts.binary_search(&byte).is_ok() {
                let longest = self
                    .needles
                    .iter()
                    .filter(|n| n.first_bytes.binary_search(&byte).is_ok())
                    .filter_map(|n| n.match_at(text, at))
                    .max();
                if let Some(end) = longest {
                    match ranges.last_mut() {
                        Some(last) if at <= last.1 => last.1 = last.1.max(end),
                        _ => ranges.push((at, end)),
                    }
                }
            }
            // Next character boundary.
            at += 1;
            while at < bytes.len() && !text.is_char_boundary(at) {
                at += 1;
            }
        }
        ranges
    }
}

/// Byte ranges of PEM private key blocks in `text`, from `-----BEGIN` to the end of the
/// matching `-----END ...-----` line (or to the end of the text when it was cut): a
/// private key (a TLS key a panel lists back, one being uploaded) is redacted wherever
/// it appears, whether or not it was registered, in any escaping of its line breaks
/// and spaces (raw, JSON `\n`, form `+`, `%20`).
fn private_key_blocks(text: &str) -> Vec<(usize, usize)> {
    const BEGIN: &str = "-----BEGIN";
    const END: &str = "-----END";
    const DASHES: &str = "-----";
    /// The longest label looked at (`ENCRYPTED PRIVATE KEY` percent-encoded fits).
    const LABEL_MAX: usize = 64;
    let mut ranges = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find(BEGIN) {
        let start = at + found;
        let label_from = start + BEGIN.len();
        let Some(label_len) = text[label_from..].find(DASHES) else {
            break;
        };
        let label = &text[label_from..label_from + label_len];
        if label_len > LABEL_MAX || !label.contains("PRIVATE") {
            at = label_from;
            continue;
        }
        let body_from = label_from + label_len + DASHES.len();
        let end = match text[body_from..].find(END) {
            Some(end_at) => {
                let tail = body_from + end_at + END.len();
                match text[tail..].find(DASHES) {
                    Some(close) if close <= LABEL_MAX => tail + close + DASHES.len(),
                    _ => text.len(),
                }
            }
            None => text.len(),
        };
        ranges.push((start, end));
        at = end;
    }
    ranges
}

/// Secrets every log line is scrubbed of: the provider's configured credentials.
static REGISTERED: RwLock<Redactor> = RwLock::new(Redactor::new());

/// Scrubs `secret` (in every spelling) from every log line from now on.
pub fn register(secret: &str) {
    REGISTERED
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .add(secret);
}

/// Scrubs the Basic authorization token of `login` + `secret` (and the secret) from
/// every log line from now on.
pub fn register_basic_auth(login: &str, secret: &str) {
    REGISTERED
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .add_basic_auth(login, secret);
}

/// `text` with every registered secret replaced by `marker`.
pub fn redact_registered<'a>(text: &'a str, marker: &str) -> Cow<'a, str> {
    let registered = REGISTERED.read().unwrap_or_else(PoisonError::into_inner);
    match registered.redact_with(text, marker) {
        Cow::Borrowed(_) => Cow::Borrowed(text),
        Cow::Owned(owned) => Cow::Owned(owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn redact(secret: &str, text: &str) -> String {
        Redactor::of([secret]).redact(text).into_owned()
    }

    #[test]
    fn pem_private_keys_are_removed_unregistered() {
        let key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----";
        let redactor = Redactor::new();
        for text in [
            format!("before {key} after"),
            format!("{{\"KEY\": \"{}\"}}", key.replace('\n', "\\n")),
            key.replace(' ', "+").replace('\n', "%0A"),
        ] {
            let shown = redactor.redact(&text).into_owned();
            assert!(!shown.contains("MIGHAgEA"), "{shown}");
        }
        let shown = redactor.redact(&format!("x {key} y")).into_owned();
        assert_eq!(shown, format!("x {MARKER} y"));
        let cut = &key[..40];
        assert!(!redactor.excerpt(cut, 100).contains("MIGH"));
        let rsa = key.replace("PRIVATE KEY", "RSA PRIVATE KEY");
        assert!(!redactor.redact(&rsa).contains("MIGH"));
        let certificate = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        assert_eq!(redactor.redact(certificate), certificate);
    }

    #[test]
    fn every_spelling_of_a_secret_is_removed() {
        let secret = "P@ss w/\"0rd'&<ü>";
        let cases = [
            "P@ss w/\"0rd'&<ü>",
            "P%40ss+w%2F%220rd%27%26%3C%C3%BC%3E",
            "P%40ss%20w%2f%220rd%27%26%3c%c3%bc%3e",
            r#"P@ss w\/\"0rd'&<\u00fc>"#,
            r#"P@ss w/\"0rd'&<\u00FC>"#,
            "P@ss w/&quot;0rd&#039;&amp;&lt;ü&gt;",
            "P@ss w/&#x22;0rd&apos;&AMP;&LT;&#252;&GT;",
            r#"P@ss w/\"0rd\'&<\u{fc}>"#,
            "p@ss w/\"0rd'&<ü>",
            "P@SS W/\"0RD'&<Ü>",
            "P%40SS+W%2F%220RD%27%26%3C%C3%9C%3E",
        ];
        for spelled in cases {
            let text = format!("Error: password {spelled} is invalid");
            assert_eq!(
                redact(secret, &text),
                "Error: password <redacted> is invalid",
                "{spelled}"
            );
        }
    }

    #[test]
    fn base64_and_basic_auth_tokens_are_removed() {
        let mut redactor = Redactor::new();
        redactor.add_basic_auth("admin", "pw-secret?");
        let basic = base64::engine::general_purpose::STANDARD.encode("admin:pw-secret?");
        let plain = base64::engine::general_purpose::STANDARD.encode("pw-secret?");
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("pw-secret?");
        for token in [basic, plain, url_safe] {
            let text = format!("Authorization: Basic {token}.");
            assert_eq!(
                redactor.redact(&text),
                "Authorization: Basic <redacted>.",
                "{token}"
            );
        }
    }

    #[test]
    fn astral_characters_in_json_surrogate_pairs() {
        assert_eq!(
            redact("pw😀pw", r#"{"message":"pw\ud83d\ude00pw"}"#),
            r#"{"message":"<redacted>"}"#
        );
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let text = "100% of 5 + 5 & <b> \\ n";
        assert!(matches!(
            Redactor::of(["hunter22"]).redact(text),
            Cow::Borrowed(_)
        ));
        // Too short to redact safely.
        assert_eq!(redact("ab", "ab cab"), "ab cab");
        assert_eq!(Redactor::new().redact("x"), "x");
    }

    #[test]
    fn overlapping_secrets_are_removed_whole() {
        let redactor = Redactor::of(["secret", "secret-longer"]);
        assert_eq!(redactor.redact("a secret-longer b"), "a <redacted> b");
        assert_eq!(redactor.redact("secretsecret"), "<redacted>");
    }

    #[test]
    fn excerpts_never_show_half_a_secret() {
        let redactor = Redactor::of(["abcdefgh"]);
        let text = format!("{}abcdefgh{}", "x".repeat(8), "y".repeat(100));
        let excerpt = redactor.excerpt(&text, 12);
        assert_eq!(excerpt, "xxxxxxxx<red…");
        assert!(!excerpt.contains("abcd"));
        assert_eq!(redactor.excerpt("short", 12), "short");
        let huge = "z".repeat(10_000_000);
        assert_eq!(redactor.excerpt(&huge, 3), "zzz…");
    }

    #[test]
    fn malformed_escapes_do_not_panic() {
        let redactor = Redactor::of(["secret"]);
        for text in [
            "%",
            "%Z",
            "%C3",
            "%C3%",
            "\\",
            "\\u",
            "\\u12",
            "\\uD83D",
            "\\uD83D\\u0041",
            "\\u{",
            "\\u{}",
            "\\u{110000}",
            "\\x",
            "\\xZZ",
            "&",
            "&#",
            "&#;",
            "&#x;",
            "&#99999999999;",
            "&unknown;",
            "ü%ü\\ü&ü",
        ] {
            assert_eq!(redactor.redact(text), text);
        }
    }

    #[test]
    fn registered_secrets_are_global() {
        register("global-secret-1234");
        assert_eq!(
            redact_registered("x global-secret-1234 y", "***"),
            "x *** y"
        );
    }

    /// Spellings computed independently of the matcher.
    fn spellings(secret: &str) -> Vec<(&'static str, String)> {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap();
        let debug = format!("{secret:?}");
        let php_json: String = secret
            .chars()
            .map(|c| match c {
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                '/' => "\\/".to_owned(),
                ' '..='~' => c.to_string(),
                _ => c
                    .encode_utf16(&mut [0u16; 2])
                    .iter()
                    .map(|unit| format!("\\u{unit:04x}"))
                    .collect(),
            })
            .collect();
        let numeric_xml: String = secret
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    format!("&#{:03};", u32::from(c))
                }
            })
            .collect();
        vec![
            ("raw", secret.to_owned()),
            ("form", form.clone()),
            ("percent", form.replace('+', "%20")),
            ("percent lower", form.replace('+', "%20").to_lowercase()),
            ("json", json[1..json.len() - 1].to_owned()),
            ("php json", php_json),
            ("xml", quick_xml::escape::escape(secret).into_owned()),
            ("numeric xml", numeric_xml),
            ("debug", debug[1..debug.len() - 1].to_owned()),
            ("base64", STANDARD.encode(secret)),
            ("base64 url", URL_SAFE_NO_PAD.encode(secret)),
            ("basic", STANDARD.encode(format!("admin:{secret}"))),
            ("upper", secret.to_uppercase()),
            ("lower", secret.to_lowercase()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_spelling_of_a_random_secret_survives(
            secret in "[ -~äöüßÉ€😀\t]{3,20}",
            prefix in "[a-z .:]{0,12}",
            suffix in "[a-z .:]{0,12}",
        ) {
            let mut redactor = Redactor::new();
            redactor.add_basic_auth("admin", &secret);
            for (name, spelled) in spellings(&secret) {
                let text = format!("{prefix}{spelled}{suffix}");
                let out = redactor.redact(&text).replace(MARKER, "\u{0}");
                prop_assert!(
                    !out.contains(&spelled),
                    "{} spelling {:?} survived in {:?}", name, spelled, out
                );
                prop_assert!(out.contains('\u{0}'), "{} spelling not found in {:?}", name, text);
            }
        }

        #[test]
        fn text_without_the_secret_is_unchanged(
            secret in "[a-z0-9]{3,8}[!@#$%^&*]",
            text in "[a-z0-9 .,:]{0,64}",
        ) {
            // The text cannot hold the secret's last character in any spelling.
            let out = Redactor::of([secret.as_str()]).redact(&text).into_owned();
            prop_assert_eq!(out, text);
        }
    }
}
