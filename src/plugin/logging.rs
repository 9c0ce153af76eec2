//! Logs for Terraform: one JSON object per line on stderr, in the hclog shape that
//! go-plugin's client parses (`@level`, `@message`, `@timestamp`, `@module`, then
//! fields). Terraform re-logs each line under `provider.terraform-provider-panel`
//! at the line's level, filtered by `TF_LOG_PROVIDER` / `TF_LOG`.
//!
//! The level comes from the same variables (Terraform passes its environment to the
//! provider), most specific first: `TF_LOG_PROVIDER_PANEL`, `TF_LOG_PROVIDER`,
//! `TF_LOG`. Nothing is logged when none is set, as Terraform would drop it anyway.
//!
//! Secrets: anything registered with [`crate::redact`] (the provider's configured
//! credentials, by `Configure` and by each backend) is replaced by `***` in every
//! message and field, in every spelling, before the line is written. Panel requests'
//! own secrets (new passwords) are removed by the transport before it logs.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

const CRATE_TARGET: &str = "terraform_provider_panel";
const REDACTED: &str = "***";

/// Installs the stderr logger for the level the environment asks for. Without any
/// `TF_LOG*` variable nothing is installed, except in debug mode, where a person
/// watches the terminal and gets `INFO`.
pub fn init(debug_mode: bool) {
    let var = |key: &str| std::env::var(key).ok();
    let level = level_from_env(
        var("TF_LOG_PROVIDER_PANEL").as_deref(),
        var("TF_LOG_PROVIDER").as_deref(),
        var("TF_LOG").as_deref(),
    )
    .unwrap_or(if debug_mode {
        LevelFilter::INFO
    } else {
        LevelFilter::OFF
    });
    if level == LevelFilter::OFF {
        return;
    }
    // Dependencies (h2, hyper, rustls) are noisy below WARN and say little that
    // helps a provider user; they get at most WARN.
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target(CRATE_TARGET, level)
        .with_default(level.min(LevelFilter::WARN));
    // Fails only if a logger is already installed, which then stays in charge.
    let _ = tracing_subscriber::registry()
        .with(HclogLayer::new(std::io::stderr))
        .with(filter)
        .try_init();
}

/// The level Terraform's conventions ask for, or `None` if no variable is set.
/// Unknown level names mean `TRACE`, as in Terraform itself; `JSON` is Terraform's
/// alias for `TRACE` with JSON output.
pub fn level_from_env(
    provider_specific: Option<&str>,
    provider: Option<&str>,
    global: Option<&str>,
) -> Option<LevelFilter> {
    let chosen = [provider_specific, provider, global]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|value| !value.is_empty())?;
    Some(match chosen.to_ascii_uppercase().as_str() {
        "OFF" => LevelFilter::OFF,
        "ERROR" => LevelFilter::ERROR,
        "WARN" => LevelFilter::WARN,
        "INFO" => LevelFilter::INFO,
        "DEBUG" => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    })
}

/// Scrubs `secret` from every log line from now on, in every spelling
/// [`crate::redact`] knows (escaped as in `{:?}` output, URL-encoded, base64, ...).
pub fn register_secret(secret: &str) {
    crate::redact::register(secret);
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> Cow<'_, str> {
    crate::redact::redact_registered(text, REDACTED)
}

/// A tracing layer writing hclog JSON lines to `writer`.
pub struct HclogLayer<W> {
    writer: W,
}

impl<W> HclogLayer<W> {
    pub fn new(writer: W) -> Self {
        Self { writer }
    }
}

/// Fields recorded on a span, kept in its extensions for the events inside it.
struct SpanFields(serde_json::Map<String, serde_json::Value>);

impl<S, W> Layer<S> for HclogLayer<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut fields = JsonFields::default();
        attrs.record(&mut fields);
        span.extensions_mut().insert(SpanFields(fields.map));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(SpanFields(map)) = extensions.get_mut::<SpanFields>() {
            let mut fields = JsonFields {
                map: std::mem::take(map),
                message: None,
            };
            values.record(&mut fields);
            *map = fields.map;
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let metadata = event.metadata();
        let mut fields = JsonFields::default();
        event.record(&mut fields);

        let mut line = serde_json::Map::new();
        line.insert("@level".into(), hclog_level(*metadata.level()).into());
        line.insert(
            "@message".into(),
            fields.message.take().unwrap_or_default().into(),
        );
        line.insert("@module".into(), module(metadata.target()).into());
        line.insert(
            "@timestamp".into(),
            chrono::Utc::now()
                // Exactly six fraction digits: go-plugin parses the timestamp with
                // Go's layout "2006-01-02T15:04:05.000000Z07:00", which requires them.
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string()
                .into(),
        );
        if let (Some(file), Some(number)) = (metadata.file(), metadata.line()) {
            line.insert("@caller".into(), format!("{file}:{number}").into());
        }
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(span_fields)) = span.extensions().get::<SpanFields>() {
                    for (key, value) in span_fields {
                        line.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        line.extend(fields.map);

        let mut text = serde_json::Value::Object(line).to_string();
        text.push('\n');
        // One write per line so concurrent lines never interleave. A failed write
        // to stderr has nowhere better to be reported.
        let _ = self.writer.make_writer().write_all(text.as_bytes());
    }
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// `provider` for the crate root, `provider.backends.plesk` for a submodule, and
/// `provider.h2` (the crate name) for dependencies.
fn module(target: &str) -> String {
    let mut parts = target.split("::");
    let first = parts.next().unwrap_or_default();
    if first == CRATE_TARGET {
        parts.fold("provider".to_string(), |mut module, part| {
            module.push('.');
            module.push_str(part);
            module
        })
    } else {
        format!("provider.{first}")
    }
}

#[derive(Default)]
struct JsonFields {
    map: serde_json::Map<String, serde_json::Value>,
    message: Option<String>,
}

impl JsonFields {
    fn put(&mut self, field: &Field, value: serde_json::Value) {
        if field.name() == "message" {
            let text = match value {
                serde_json::Value::String(text) => text,
                other => other.to_string(),
            };
            self.message = Some(text);
        } else {
            self.map.insert(field.name().to_string(), value);
        }
    }
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, redact(value).into_owned().into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(cause) = source {
            let _ = write!(text, ": {cause}");
            source = cause.source();
        }
        self.put(field, redact(&text).into_owned().into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        self.put(field, redact(&text).into_owned().into());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex, PoisonError};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn capture(emit: impl FnOnce()) -> Vec<serde_json::Value> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry().with(HclogLayer::new(captured.clone()));
        tracing::subscriber::with_default(subscriber, emit);
        let bytes = captured
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        String::from_utf8(bytes)
            .expect("utf-8")
            .lines()
            .map(|line| serde_json::from_str(line).expect("each line is JSON"))
            .collect()
    }

    #[test]
    fn lines_have_the_hclog_shape() {
        let lines = capture(|| {
            let span = tracing::debug_span!("rpc", tf_rpc = "ReadResource", tf_req_id = 7u64);
            let _entered = span.enter();
            tracing::warn!(
                tf_resource_type = "panel_user",
                attempts = 3,
                "Panel is slow"
            );
        });
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line["@level"], "warn");
        assert_eq!(line["@message"], "Panel is slow");
        assert_eq!(line["@module"], "provider.plugin.logging.tests");
        assert_eq!(line["tf_rpc"], "ReadResource");
        assert_eq!(line["tf_req_id"], 7);
        assert_eq!(line["tf_resource_type"], "panel_user");
        assert_eq!(line["attempts"], 3);
        let timestamp = line["@timestamp"].as_str().expect("string");
        // 2006-01-02T15:04:05.000000Z: exactly what go-plugin's parser accepts.
        assert_eq!(timestamp.len(), 27, "{timestamp}");
        assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
        assert_eq!(&timestamp[19..20], ".");
        assert!(timestamp.ends_with('Z'));
        let keys: Vec<&String> = line.as_object().expect("object").keys().collect();
        assert_eq!(keys[..4], ["@level", "@message", "@module", "@timestamp"]);
    }

    #[test]
    fn registered_secrets_never_reach_a_line() {
        register_secret("hunter2-\"quoted\"");
        let lines = capture(|| {
            tracing::info!(
                password = "hunter2-\"quoted\"",
                debug = ?("hunter2-\"quoted\""),
                "login with hunter2-\"quoted\" failed"
            );
        });
        let text = lines[0].to_string();
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(lines[0]["password"], "***");
        assert_eq!(lines[0]["@message"], "login with *** failed");
        assert_eq!(redact("nothing to hide"), "nothing to hide");
    }

    #[test]
    fn level_follows_terraform_precedence() {
        assert_eq!(level_from_env(None, None, None), None);
        assert_eq!(level_from_env(None, None, Some("")), None);
        assert_eq!(
            level_from_env(None, None, Some("debug")),
            Some(LevelFilter::DEBUG)
        );
        assert_eq!(
            level_from_env(None, Some("ERROR"), Some("TRACE")),
            Some(LevelFilter::ERROR)
        );
        assert_eq!(
            level_from_env(Some("off"), Some("ERROR"), Some("TRACE")),
            Some(LevelFilter::OFF)
        );
        assert_eq!(
            level_from_env(None, None, Some("JSON")),
            Some(LevelFilter::TRACE)
        );
        assert_eq!(
            level_from_env(None, None, Some("loud")),
            Some(LevelFilter::TRACE)
        );
    }

    #[test]
    fn modules_name_the_source() {
        assert_eq!(module("terraform_provider_panel"), "provider");
        assert_eq!(
            module("terraform_provider_panel::backends::plesk"),
            "provider.backends.plesk"
        );
        assert_eq!(module("h2::proto::streams"), "provider.h2");
    }
}
