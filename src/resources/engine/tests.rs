//! The engine against the in-memory fake panel: every resource type through every
//! fault a create must survive, in milliseconds. What is asserted is what a user relies
//! on: the object the panel holds is in the returned state (or nothing was created),
//! never twice, and the diagnostics say what happened.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::*;
use crate::framework::diag::Severity;
use crate::framework::model::Model;
use crate::framework::resource::{Context, ProviderData, Resource};
use crate::panel::fake::{FakePanel, Fault, Faulty};
use crate::panel::{PanelHandle, PanelKind, Service};
use crate::resources::certificate::CertificateType;
use crate::resources::cron_job::CronJobType;
use crate::resources::database::DatabaseType;
use crate::resources::database_user::DatabaseUserType;
use crate::resources::dns_record::DnsRecordType;
use crate::resources::dns_zone::DnsZoneType;
use crate::resources::domain::DomainType;
use crate::resources::ftp_account::FtpAccountType;
use crate::resources::mail_domain::MailDomainType;
use crate::resources::mailbox::MailboxType;
use crate::resources::user::UserType;
use crate::tfvalue::Value;

/// One resource type's test fixture: a valid plan and configuration for a create, and
/// how many of its objects the fake holds.
trait Case: ObjectType {
    /// Puts what the object needs (its owner) into the fake.
    fn prepare(_fake: &FakePanel) {}
    /// `(planned, config)` of a create named `name`.
    fn create(name: &str) -> (Value, Value);
    fn count(fake: &FakePanel) -> usize;
}

/// The planned value of a create: the model's attributes, computed ones unknown.
fn planned_of<T: ObjectType>(known: &[(&str, Value)]) -> Value {
    let mut value = T::Model::default().to_value();
    for attribute in T::Model::attributes() {
        if attribute.computed && !attribute.optional {
            value.set_attr(&attribute.name, Value::unknown());
        }
    }
    for (name, known) in known {
        value.set_attr(name, known.clone());
    }
    value
}

/// The owner every domain and database of the fixtures belongs to.
const OWNER_LOGIN: &str = "owner";

fn add_owner(fake: &FakePanel) {
    let spec = crate::panel::UserSpec {
        login: OWNER_LOGIN.into(),
        email: "owner@example.com".into(),
        name: "Owner".into(),
        password: crate::panel::Secret::new("Owner-Passw0rd"),
        plan: None,
        suspended: false,
    };
    let created = futures::executor::block_on(Service::<crate::panel::User>::create(fake, &spec));
    assert!(created.is_ok());
}

impl Case for UserType {
    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("login", Value::string(name)),
            ("email", Value::string(format!("{name}@example.com"))),
            ("name", Value::string("A Name")),
            ("plan", Value::unknown()),
            ("suspended", Value::Bool(false)),
        ]);
        let mut config = planned.unknowns_to_null();
        config.set_attr("password_wo", Value::string("Passw0rd-1"));
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().users.len()
    }
}

impl Case for DomainType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("name", Value::string(format!("{name}.example"))),
            ("owner", Value::string("1")),
            ("kind", Value::string("main")),
            ("document_root", Value::unknown()),
            ("php_version", Value::unknown()),
            ("ip_address", Value::unknown()),
        ]);
        let config = planned.unknowns_to_null();
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().domains.len()
    }
}

impl Case for DatabaseType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("name", Value::string(name)),
            ("owner", Value::string("1")),
            ("engine", Value::string("mysql")),
            ("user", Value::string(format!("{name}_u"))),
            ("domain", Value::unknown()),
        ]);
        let mut config = planned.unknowns_to_null();
        config.set_attr("password_wo", Value::string("Passw0rd-1"));
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().databases.len()
    }
}

impl Case for CronJobType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("schedule", Value::string("*/5 * * * *")),
            ("command", Value::string(format!("echo {name}"))),
            ("suspended", Value::Bool(false)),
        ]);
        let config = planned.unknowns_to_null();
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().cron_jobs.len()
    }
}

impl Case for FtpAccountType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("domain", Value::string("example.com")),
            ("login", Value::string(name)),
            ("home", Value::string("")),
        ]);
        let mut config = planned.unknowns_to_null();
        config.set_attr("password_wo", Value::string("Ftp-Passw0rd"));
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().ftp_accounts.len()
    }
}

impl Case for MailDomainType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("domain", Value::string(format!("{name}.example.com"))),
        ]);
        let config = planned.unknowns_to_null();
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().mail_domains.len()
    }
}

impl Case for CertificateType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let domain = format!("{name}.example.com");
        let (pem, key) = crate::panel::certificate::tests::self_signed(&[domain.as_str()]);
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("domain", Value::string(domain)),
            ("lets_encrypt", Value::Bool(false)),
            ("certificate", Value::string(pem)),
            ("chain", Value::string("")),
        ]);
        let mut config = planned.unknowns_to_null();
        config.set_attr("private_key_wo", Value::string(key));
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().certificates.len()
    }
}

impl Case for MailboxType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("domain", Value::string("example.com")),
            ("name", Value::string(name)),
            ("quota", Value::int(0)),
            ("suspended", Value::Bool(false)),
        ]);
        let mut config = planned.unknowns_to_null();
        config.set_attr("password_wo", Value::string("Mail-Passw0rd"));
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().mailboxes.len()
    }
}

impl Case for DnsRecordType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("zone", Value::string("example.com")),
            ("type", Value::string("TXT")),
            ("name", Value::string(name)),
            ("value", Value::string(format!("v=test; {name}"))),
        ]);
        let config = planned.unknowns_to_null();
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().dns_records.len()
    }
}

impl Case for DatabaseUserType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
        let spec = crate::panel::DatabaseSpec {
            name: "shop".into(),
            owner: "1".into(),
            domain: None,
            engine: "mysql".into(),
            user: None,
            password: None,
        };
        let created =
            futures::executor::block_on(Service::<crate::panel::Database>::create(fake, &spec));
        assert!(created.is_ok());
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("name", Value::string(name)),
            ("databases", Value::Set(vec![Value::string("2")])),
        ]);
        let mut config = planned.unknowns_to_null();
        config.set_attr("password_wo", Value::string("Db-Passw0rd"));
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().database_users.len()
    }
}

impl Case for DnsZoneType {
    fn prepare(fake: &FakePanel) {
        add_owner(fake);
    }

    fn create(name: &str) -> (Value, Value) {
        let planned = planned_of::<Self>(&[
            ("owner", Value::string("1")),
            ("name", Value::string(format!("{name}.example"))),
            ("ip", Value::string("192.0.2.10")),
            ("ttl", Value::unknown()),
        ]);
        let config = planned.unknowns_to_null();
        (planned, config)
    }

    fn count(fake: &FakePanel) -> usize {
        fake.store().dns_zones.len()
    }
}

/// A fake panel behind a fault injector, with the handle resources get.
struct Bench {
    fake: Arc<FakePanel>,
    faulty: Arc<Faulty>,
    handle: Arc<PanelHandle>,
}

impl Bench {
    fn new<T: Case>(settle: Duration) -> Self {
        let fake = Arc::new(FakePanel::new(PanelKind::PleskRest));
        T::prepare(&fake);
        let faulty = Arc::new(Faulty::new(
            Arc::clone(&fake) as Arc<dyn crate::panel::Panel>
        ));
        let handle = Arc::new(
            PanelHandle::new(Arc::clone(&faulty) as Arc<dyn crate::panel::Panel>)
                .with_settle(settle),
        );
        Self {
            fake,
            faulty,
            handle,
        }
    }

    fn context(&self, stop: CancellationToken) -> Context {
        Context::new(
            ProviderData::Ready(Arc::clone(&self.handle) as Arc<dyn std::any::Any + Send + Sync>),
            stop,
            tracing::Span::none(),
        )
    }

    async fn create<T: Case>(
        &self,
        name: &str,
        stop: CancellationToken,
    ) -> (Option<Value>, Vec<(Severity, String)>) {
        let (planned, config) = T::create(name);
        let (state, diagnostics) = Managed::<T>::new()
            .create(&self.context(stop), &planned, &config)
            .await;
        let summaries = diagnostics
            .iter()
            .map(|d| (d.severity, d.summary.clone()))
            .collect();
        (state, summaries)
    }

    async fn read<T: Case>(&self, state: &Value) -> Option<Value> {
        let (state, diagnostics) = Managed::<T>::new()
            .read(&self.context(CancellationToken::new()), state)
            .await;
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        state
    }
}

fn id_of(state: &Value) -> &str {
    state
        .get_attr("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn has(diagnostics: &[(Severity, String)], severity: Severity, summary: &str) -> bool {
    diagnostics
        .iter()
        .any(|(s, text)| *s == severity && text == summary)
}

fn quick() -> Duration {
    Duration::from_millis(10)
}

async fn plain_create_records_the_read_back_object<T: Case>() {
    let bench = Bench::new::<T>(quick());
    let (state, diagnostics) = bench.create::<T>("plain", CancellationToken::new()).await;
    let state = state.expect("state");
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(!id_of(&state).is_empty());
    assert!(state.is_wholly_known());
    assert_eq!(T::count(&bench.fake), 1);
    let read = bench.read::<T>(&state).await.expect("still there");
    assert_eq!(id_of(&read), id_of(&state));
}

async fn existing_object_is_reported_never_adopted<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench
        .create::<T>("taken", CancellationToken::new())
        .await
        .0
        .expect("first");
    let log_before = bench.fake.store().log.len();
    let (state, diagnostics) = bench.create::<T>("taken", CancellationToken::new()).await;
    assert!(state.is_none(), "an existing object must not be adopted");
    assert!(has(
        &diagnostics,
        Severity::Error,
        "Panel Object Already Exists"
    ));
    assert_eq!(T::count(&bench.fake), 1);
    assert_eq!(
        bench.fake.store().log.len(),
        log_before,
        "nothing sent after the look"
    );
}

async fn lost_answer_is_recovered_by_natural_key<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::LostAnswer);
    let (state, diagnostics) = bench.create::<T>("lost", CancellationToken::new()).await;
    let state = state.expect("the object the panel created is recorded");
    assert!(!id_of(&state).is_empty());
    assert!(has(
        &diagnostics,
        Severity::Warning,
        "Create Answer Lost, Object Recorded"
    ));
    assert!(!diagnostics.iter().any(|(s, _)| *s == Severity::Error));
    assert_eq!(T::count(&bench.fake), 1);
}

async fn late_commit_within_the_window_is_found<T: Case>() {
    let bench = Bench::new::<T>(Duration::from_secs(2));
    bench.faulty.next_create(Fault::CommitsLate { lookups: 1 });
    let (state, diagnostics) = bench.create::<T>("late", CancellationToken::new()).await;
    let state = state.expect("recorded");
    assert!(!id_of(&state).is_empty(), "found on a later lookup");
    assert!(has(
        &diagnostics,
        Severity::Warning,
        "Create Answer Lost, Object Recorded"
    ));
    assert_eq!(T::count(&bench.fake), 1);
}

async fn late_commit_after_the_window_is_settled_by_the_next_refresh<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::CommitsLate { lookups: 1 });
    let (state, diagnostics) = bench.create::<T>("later", CancellationToken::new()).await;
    let state = state.expect("recorded as unconfirmed");
    assert_eq!(id_of(&state), "", "unconfirmed");
    assert!(has(
        &diagnostics,
        Severity::Error,
        "Create Outcome Unknown, Object Recorded As Unconfirmed"
    ));
    // The panel committed meanwhile: the refresh finds it by natural key.
    let read = bench.read::<T>(&state).await.expect("settled");
    assert!(!id_of(&read).is_empty());
    assert_eq!(T::count(&bench.fake), 1);
}

async fn never_committed_is_forgotten_by_the_next_refresh<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::NeverCommitted);
    let (state, _) = bench.create::<T>("never", CancellationToken::new()).await;
    let state = state.expect("recorded as unconfirmed");
    assert_eq!(id_of(&state), "");
    assert_eq!(T::count(&bench.fake), 0);
    assert!(
        bench.read::<T>(&state).await.is_none(),
        "gone: planned again"
    );
    // The re-apply creates it, once.
    let (again, diagnostics) = bench.create::<T>("never", CancellationToken::new()).await;
    assert!(again.is_some() && diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(T::count(&bench.fake), 1);
}

async fn rate_limit_creates_nothing_and_says_so<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::RateLimited);
    let (state, diagnostics) = bench.create::<T>("limited", CancellationToken::new()).await;
    assert!(state.is_none());
    assert!(has(
        &diagnostics,
        Severity::Error,
        "Panel Rate Limit Reached"
    ));
    assert_eq!(T::count(&bench.fake), 0);
}

async fn failed_read_back_records_the_create_answer<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::ReadBackFails);
    let (state, diagnostics) = bench.create::<T>("unread", CancellationToken::new()).await;
    let state = state.expect("recorded from the create's answer");
    assert!(!id_of(&state).is_empty());
    assert!(state.is_wholly_known());
    assert!(has(
        &diagnostics,
        Severity::Warning,
        "New Object Not Read Back"
    ));
    assert_eq!(T::count(&bench.fake), 1);
}

async fn stop_during_a_sent_create_keeps_the_object<T: Case>() {
    let bench = Bench::new::<T>(quick());
    let stop = CancellationToken::new();
    bench
        .faulty
        .next_create(Fault::StopDuringCreate(stop.clone()));
    let (state, diagnostics) = bench.create::<T>("stopped", stop).await;
    let state = state.expect("the sent create's object is recorded");
    assert!(!id_of(&state).is_empty());
    assert!(has(
        &diagnostics,
        Severity::Warning,
        "Stop Requested During Create"
    ));
    assert_eq!(T::count(&bench.fake), 1);
}

async fn stop_before_a_create_sends_nothing<T: Case>() {
    let bench = Bench::new::<T>(quick());
    let stop = CancellationToken::new();
    stop.cancel();
    let (state, diagnostics) = bench.create::<T>("unsent", stop).await;
    assert!(state.is_none());
    assert!(has(&diagnostics, Severity::Error, "Operation Cancelled"));
    assert_eq!(T::count(&bench.fake), 0);
}

async fn half_done_create_is_recorded_tainted<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::FailsHalfWay);
    let (state, diagnostics) = bench.create::<T>("half", CancellationToken::new()).await;
    let state = state.expect("the partial object is recorded");
    assert!(!id_of(&state).is_empty());
    assert!(has(
        &diagnostics,
        Severity::Error,
        "Partially Created Object Recorded"
    ));
    assert_eq!(T::count(&bench.fake), 1);
}

async fn unconfirmed_objects_are_deleted_by_natural_key<T: Case>() {
    let bench = Bench::new::<T>(quick());
    bench.faulty.next_create(Fault::CommitsLate { lookups: 1 });
    let (state, _) = bench.create::<T>("doomed", CancellationToken::new()).await;
    let state = state.expect("unconfirmed");
    assert_eq!(id_of(&state), "");
    // The lookup in the delete commits the late object first; the delete then finds it.
    let context = bench.context(CancellationToken::new());
    let _ = bench.read::<T>(&state).await;
    let diagnostics = Managed::<T>::new().delete(&context, &state).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert_eq!(T::count(&bench.fake), 0);
}

/// A panel that cannot remove an object: the delete succeeds (the object leaves state)
/// with a warning naming the resource, the panel and what stays there.
async fn delete_that_leaves_the_object_warns<T: Case>() {
    let bench = Bench::new::<T>(quick());
    let (state, _) = bench.create::<T>("kept", CancellationToken::new()).await;
    let state = state.expect("state");
    bench
        .faulty
        .delete_leaves("it stays installed until it expires");
    let context = bench.context(CancellationToken::new());
    let diagnostics = Managed::<T>::new().delete(&context, &state).await;
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let warning = diagnostics
        .iter()
        .find(|d| d.severity == Severity::Warning && d.summary == "Removed From State Only")
        .expect("a warning");
    assert!(warning.detail.contains(T::TYPE_NAME), "{}", warning.detail);
    assert!(warning
        .detail
        .contains("it stays installed until it expires"));
    assert!(
        warning.detail.to_lowercase().contains("plesk"),
        "{}",
        warning.detail
    );
}

macro_rules! every_type {
    ($($case:ident),* $(,)?) => {
        mod user {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<UserType>().await; })*
        }
        mod domain {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<DomainType>().await; })*
        }
        mod database {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<DatabaseType>().await; })*
        }
        mod cron_job {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<CronJobType>().await; })*
        }
        mod ftp_account {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<FtpAccountType>().await; })*
        }
        mod dns_record {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<DnsRecordType>().await; })*
        }
        mod database_user {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<DatabaseUserType>().await; })*
        }

        mod mail_domain {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<MailDomainType>().await; })*
        }
        mod certificate {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<CertificateType>().await; })*
        }
        mod dns_zone {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<DnsZoneType>().await; })*
        }
        mod mailbox {
            use super::*;
            $(#[tokio::test] async fn $case() { super::$case::<MailboxType>().await; })*
        }
    };
}

every_type!(
    plain_create_records_the_read_back_object,
    existing_object_is_reported_never_adopted,
    lost_answer_is_recovered_by_natural_key,
    late_commit_within_the_window_is_found,
    late_commit_after_the_window_is_settled_by_the_next_refresh,
    never_committed_is_forgotten_by_the_next_refresh,
    rate_limit_creates_nothing_and_says_so,
    failed_read_back_records_the_create_answer,
    stop_during_a_sent_create_keeps_the_object,
    stop_before_a_create_sends_nothing,
    half_done_create_is_recorded_tainted,
    unconfirmed_objects_are_deleted_by_natural_key,
    delete_that_leaves_the_object_warns,
);

#[tokio::test]
async fn another_owners_domain_is_not_offered_for_import() {
    let bench = Bench::new::<DomainType>(quick());
    let other = crate::panel::UserSpec {
        login: "other".into(),
        email: "other@example.com".into(),
        name: "Other".into(),
        password: crate::panel::Secret::new("Other-Passw0rd"),
        plan: None,
        suspended: false,
    };
    let other = Service::<crate::panel::User>::create(bench.fake.as_ref(), &other)
        .await
        .expect("other user");
    let spec = crate::panel::DomainSpec {
        name: "shared.example".into(),
        owner: other.id.clone(),
        kind: crate::panel::DomainKind::Main,
        parent: None,
        document_root: None,
        php_version: None,
        ip_address: None,
        system_password: None,
    };
    Service::<crate::panel::Domain>::create(bench.fake.as_ref(), &spec)
        .await
        .expect("other's domain");
    let (state, diagnostics) = {
        let (planned, config) = DomainType::create("shared");
        Managed::<DomainType>::new()
            .create(&bench.context(CancellationToken::new()), &planned, &config)
            .await
    };
    assert!(state.is_none());
    let detail = &diagnostics.0[0].detail;
    assert!(detail.contains("belongs to another user"), "{detail}");
    assert!(
        detail.contains(&format!("{:?}", other.id)),
        "names the owner: {detail}"
    );
    assert!(
        detail.contains("\"other\""),
        "names the owner by login too: {detail}"
    );
    assert!(
        !detail.contains("terraform import"),
        "no invitation to take it over: {detail}"
    );
    assert_eq!(bench.fake.store().domains.len(), 1);
}

#[test]
fn every_fake_fixture_is_plannable() {
    // The fixtures are complete objects of each schema, so a failing case above is the
    // engine's, not the fixture's.
    fn check<T: Case>() {
        let (planned, config) = T::create("x");
        let ty = Managed::<T>::schema().object_type();
        assert!(planned.conforms_to(&ty), "{}", T::TYPE_NAME);
        assert!(config.conforms_to(&ty), "{}", T::TYPE_NAME);
    }
    check::<UserType>();
    check::<DomainType>();
    check::<DatabaseType>();
    check::<CronJobType>();
    check::<DnsRecordType>();
    check::<FtpAccountType>();
    check::<CertificateType>();
    check::<DnsZoneType>();
    check::<DatabaseUserType>();
    check::<MailDomainType>();
    check::<MailboxType>();
}

mod planning {
    use super::*;
    use crate::framework::plan::PlanContext;
    use crate::panel::{Capabilities, LoginRules};

    fn context_with(capabilities: Capabilities) -> Context {
        let panel = PanelHandle::new(Arc::new(
            FakePanel::new(PanelKind::Hestia).with_capabilities(capabilities),
        ));
        Context::new(
            ProviderData::Ready(Arc::new(panel) as Arc<dyn std::any::Any + Send + Sync>),
            CancellationToken::new(),
            tracing::Span::none(),
        )
    }

    fn with(value: &Value, pairs: &[(&str, Value)]) -> Value {
        let mut value = value.clone();
        for (name, v) in pairs {
            value.set_attr(name, v.clone());
        }
        value
    }

    async fn plan<T: Case>(
        capabilities: Capabilities,
        prior: Option<Value>,
        config: Value,
        imported: bool,
    ) -> PlanContext {
        let mut plan = PlanContext {
            prior,
            planned: config.clone(),
            config,
            requires_replace: Vec::new(),
            diagnostics: crate::framework::diag::Diagnostics::new(),
            imported,
        };
        Managed::<T>::new()
            .modify_plan(&context_with(capabilities), &mut plan)
            .await;
        plan
    }

    fn summaries(plan: &PlanContext) -> Vec<String> {
        plan.diagnostics.iter().map(|d| d.summary.clone()).collect()
    }

    fn domain_state(owner: &str) -> Value {
        let (planned, _) = DomainType::create("moved");
        with(
            &planned.unknowns_to_null(),
            &[("id", Value::string("9")), ("owner", Value::string(owner))],
        )
    }

    #[tokio::test]
    async fn an_imported_object_is_never_silently_replaced_for_its_owner() {
        let prior = domain_state("7");
        let config = with(
            &prior,
            &[("owner", Value::string("8")), ("id", Value::Null)],
        );
        let imported = plan::<DomainType>(
            Capabilities::default(),
            Some(prior.clone()),
            config.clone(),
            true,
        )
        .await;
        assert_eq!(
            summaries(&imported),
            vec!["Imported Object Would Change Owner"]
        );
        let detail = &imported.diagnostics.0[0].detail;
        assert!(
            detail.contains("\"7\"") && detail.contains("\"8\""),
            "{detail}"
        );
        // The same change on an object this configuration created is a deliberate move.
        let managed = plan::<DomainType>(Capabilities::default(), Some(prior), config, false).await;
        assert!(summaries(&managed).is_empty(), "{:?}", summaries(&managed));
    }

    #[tokio::test]
    async fn a_replacing_change_learnt_only_at_apply_is_refused_not_applied() {
        let bench = Bench::new::<DomainType>(quick());
        let prior = with(
            &domain_state("1"),
            &[
                ("kind", Value::string("addon")),
                ("parent", Value::string("a.example")),
            ],
        );
        let planned = with(&prior, &[("parent", Value::string("b.example"))]);
        let log_before = bench.fake.store().log.len();
        let (state, diagnostics) = Managed::<DomainType>::new()
            .update(
                &bench.context(CancellationToken::new()),
                &prior,
                &planned,
                &planned,
            )
            .await;
        assert!(state.is_none());
        assert_eq!(diagnostics.0[0].summary, "Replacement Needed");
        assert_eq!(bench.fake.store().log.len(), log_before, "nothing sent");
        // The same parent in another spelling is no change of object.
        let respelled = with(&prior, &[("parent", Value::string("A.Example"))]);
        let deferred = crate::framework::plan::replace_deferred(
            &Managed::<DomainType>::schema().block,
            &prior,
            &respelled,
        );
        assert!(deferred.is_empty());
    }

    #[tokio::test]
    async fn logins_follow_the_panels_rules_only_when_new() {
        let hestia = Capabilities {
            user_login: true,
            user_id_is_login: true,
            user_login_rules: LoginRules::Hestia,
            user_suspend: true,
            user_suspended_locks_objects: true,
            ..Capabilities::default()
        };
        let (planned, config) = UserType::create("zupper");
        let zupper = with(&config, &[("login", Value::string("Zupper"))]);
        // New: HestiaCP accepts an upper-case first letter; the id is the login, known now.
        let created = plan::<UserType>(hestia, None, zupper.clone(), false).await;
        assert!(summaries(&created).is_empty(), "{:?}", summaries(&created));
        assert_eq!(
            created.planned.get_attr("id"),
            Some(&Value::string("Zupper"))
        );
        // New and invalid there: refused on the attribute.
        let bad = with(&config, &[("login", Value::string("1bad"))]);
        let refused = plan::<UserType>(hestia, None, bad, false).await;
        assert_eq!(summaries(&refused), vec!["Invalid Login"]);
        // Imported with a spelling no rule of ours allows: kept, nothing to refuse.
        let imported_state = with(
            &planned.unknowns_to_null(),
            &[
                ("id", Value::string("Zu.per")),
                ("login", Value::string("Zu.per")),
            ],
        );
        let config = with(
            &config,
            &[
                ("login", Value::string("Zu.per")),
                ("password_wo", Value::Null),
            ],
        );
        let kept = plan::<UserType>(hestia, Some(imported_state), config, true).await;
        assert!(summaries(&kept).is_empty(), "{:?}", summaries(&kept));
    }

    #[tokio::test]
    async fn a_user_cannot_be_created_suspended_where_that_locks_its_objects() {
        let (_, config) = UserType::create("frozen");
        let suspended = with(&config, &[("suspended", Value::Bool(true))]);
        let locks = Capabilities {
            user_login: true,
            user_suspend: true,
            user_suspended_locks_objects: true,
            ..Capabilities::default()
        };
        let refused = plan::<UserType>(locks, None, suspended.clone(), false).await;
        assert_eq!(summaries(&refused), vec!["Cannot Create A Suspended User"]);
        assert_eq!(
            refused.diagnostics.0[0].attribute,
            Some(crate::tfvalue::AttributePath::root("suspended"))
        );
        let free = Capabilities {
            user_suspended_locks_objects: false,
            ..locks
        };
        assert!(summaries(&plan::<UserType>(free, None, suspended, false).await).is_empty());
    }

    #[tokio::test]
    async fn a_first_system_password_version_after_import_is_recorded_where_it_cannot_be_sent() {
        let plesk = Capabilities {
            domain_system_user: true,
            ..Capabilities::default()
        };
        let prior = domain_state("1");
        let first = with(
            &prior,
            &[
                ("system_password_wo_version", Value::int(1)),
                ("system_password_wo", Value::string("Sys-Passw0rd")),
            ],
        );
        let recorded = plan::<DomainType>(plesk, Some(prior), first.clone(), true).await;
        assert!(
            !recorded.diagnostics.has_errors(),
            "{:?}",
            summaries(&recorded)
        );
        assert_eq!(
            summaries(&recorded),
            vec!["System Password Version Recorded Only"]
        );
        let second = with(&first, &[("system_password_wo_version", Value::int(2))]);
        let refused = plan::<DomainType>(plesk, Some(first.clone()), second.clone(), false).await;
        assert_eq!(
            summaries(&refused),
            vec!["System Password Cannot Be Changed"]
        );
        let settable = Capabilities {
            domain_system_password_update: true,
            ..plesk
        };
        let sent = plan::<DomainType>(settable, Some(first), second, false).await;
        assert!(summaries(&sent).is_empty(), "{:?}", summaries(&sent));
    }
}
