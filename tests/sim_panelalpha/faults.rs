//! Issue 9's PanelAlpha faults (archive-then-purge, a failing purge, a user archived in the
//! UI, the MySQL user a deleted database leaves behind), the vendor-client routes of issue 15,
//! and state dump/restore/seed of every object type.

use super::*;

async fn user_emails(sim: &Sim, path: &str) -> Vec<Value> {
    let answer = sim.admin("GET", path, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| u["email"].clone())
        .collect()
}

/// What a provider can see of a user that is archived: nothing on the normal reads, the
/// archived list and the taken email.
async fn assert_archived(sim: &Sim, id: u64, email: &str) {
    assert!(!user_emails(sim, "/api/admin/users")
        .await
        .contains(&json!(email)));
    assert!(user_emails(sim, "/api/admin/users/archived")
        .await
        .contains(&json!(email)));
    let read = sim
        .admin("GET", &format!("/api/admin/users/{id}"), None)
        .await;
    assert_eq!(read.status, StatusCode::NOT_FOUND);
    let lookup = sim
        .admin(
            "GET",
            &format!("/api/admin/users/email?email={}", email.replace('@', "%40")),
            None,
        )
        .await;
    assert_eq!(lookup.body, json!({"data": []}));
    let again = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": email, "password": "long-enough"})),
        )
        .await;
    assert_eq!(
        again.body["errors"]["email"],
        json!(["The email has already been taken."])
    );
}

#[tokio::test]
async fn a_failing_purge_leaves_the_user_archived_until_a_purge_succeeds() {
    let sim = world();
    sim.panel
        .seed(json!({"faults": {"purge_user_failures": 1}}))
        .unwrap();
    let archived = sim.admin("DELETE", "/api/admin/users/2", None).await;
    assert_eq!(archived.status, StatusCode::NO_CONTENT);
    let failed = sim.admin("DELETE", "/api/admin/users/2/delete", None).await;
    assert_eq!(
        (failed.status, failed.body),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"message": "Server Error"})
        )
    );
    assert_archived(&sim, 2, "other@example.com").await;
    assert_eq!(
        sim.panel.dump()["faults"],
        json!({"purge_user_failures": 0})
    );
    let purged = sim.admin("DELETE", "/api/admin/users/2/delete", None).await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT);
    assert!(user_emails(&sim, "/api/admin/users/archived")
        .await
        .is_empty());
    let free = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": "other@example.com", "password": "long-enough"})),
        )
        .await;
    assert_eq!(free.status, StatusCode::CREATED);
    // A missing user is still a 404, fault or not.
    sim.panel
        .seed(json!({"faults": {"purge_user_failures": 5}}))
        .unwrap();
    let missing = sim
        .admin("DELETE", "/api/admin/users/77/delete", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(sim.panel.dump()["faults"]["purge_user_failures"], 5);
}

#[tokio::test]
async fn users_archived_in_the_ui_or_seeded_archived_look_like_api_archives() {
    let sim = world();
    // "Delete user" in PanelAlpha's UI, by email or id, through the control API's seed.
    sim.panel
        .seed(json!({"archive_users": ["owner@example.com"]}))
        .unwrap();
    assert_archived(&sim, 1, "owner@example.com").await;
    // Its service went with it, as an API delete does.
    let services = sim.admin("GET", "/api/admin/services/archived", None).await;
    assert_eq!(services.body["data"][0]["id"], 1);
    let again = sim.panel.seed(json!({"archive_users": [1]}));
    assert!(again.unwrap_err().contains("no active user"));

    let seeded = Sim::new();
    seeded
        .panel
        .seed(json!({"users": [{"email": "gone@example.com", "archived": true}]}))
        .unwrap();
    assert_archived(&seeded, 1, "gone@example.com").await;
    let unarchived = seeded
        .admin("PUT", "/api/admin/users/1/unarchive", None)
        .await;
    assert_eq!(unarchived.body["data"]["email"], "gone@example.com");
}

#[tokio::test]
async fn a_deleted_database_leaves_its_mysql_user_behind() {
    let sim = world();
    let mysql = "/api/server-accounts/1/mysql";
    let users_path = format!("{mysql}/users");
    let create_user = || {
        sim.user(
            1,
            "POST",
            &users_path,
            Some(json!({"name": "shop", "password": "Db-pass-1", "database": "mainexam_shop"})),
        )
    };
    let created = sim
        .user(
            1,
            "POST",
            &format!("{mysql}/databases"),
            Some(json!({"name": "shop"})),
        )
        .await;
    assert_eq!(created.body["data"]["name"], "mainexam_shop");
    assert_eq!(create_user().await.status, StatusCode::OK);

    // Deleted on the panel: the database goes, its user stays (without grants).
    let deleted = sim
        .user(
            1,
            "DELETE",
            &format!("{mysql}/databases/mainexam_shop"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let users = sim.user(1, "GET", &format!("{mysql}/users"), None).await;
    assert!(users.body["data"]
        .as_array()
        .unwrap()
        .contains(&json!({"user": "mainexam_shop", "databases": []})));

    // Re-creating the database works; re-creating its user then fails on the leftover,
    // and the new database stays.
    let recreated = sim
        .user(
            1,
            "POST",
            &format!("{mysql}/databases"),
            Some(json!({"name": "shop"})),
        )
        .await;
    assert_eq!(recreated.status, StatusCode::OK);
    let blocked = create_user().await;
    assert_eq!(
        (blocked.status, blocked.body["errors"]["name"].clone()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!(["The name has already been taken."])
        )
    );
    let databases = sim
        .user(1, "GET", &format!("{mysql}/databases"), None)
        .await;
    assert!(databases.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["database"] == "mainexam_shop"));
    // The fix: delete the leftover user (or grant it on the new database).
    let removed = sim
        .user(1, "DELETE", &format!("{mysql}/users/mainexam_shop"), None)
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert_eq!(create_user().await.status, StatusCode::OK);
}

#[tokio::test]
async fn mysql_users_are_independent_of_databases() {
    let sim = world();
    sim.panel
        .seed(json!({"users": [{"email": "db@example.com", "services": [{
            "domain": "db.example",
            "databases": ["one", "two"],
            "mysql_users": [{"name": "report", "password": "Report-1",
                             "grants": {"one": "SELECT", "dbexampl_two": "SELECT,SHOW VIEW"}}]
        }]}]}))
        .unwrap();
    let users = sim
        .user(3, "GET", "/api/server-accounts/3/mysql/users", None)
        .await;
    assert_eq!(
        users.body["data"],
        json!([{"user": "dbexampl_report", "databases": ["dbexampl_one", "dbexampl_two"]}])
    );
    let privileges = sim
        .user(
            3,
            "GET",
            "/api/server-accounts/3/mysql/privileges/dbexampl_report/dbexampl_two",
            None,
        )
        .await;
    assert_eq!(privileges.body["data"], json!(["SELECT", "SHOW VIEW"]));
    // A database of another account cannot be granted.
    let foreign = sim
        .user(
            3,
            "PUT",
            "/api/server-accounts/3/mysql/privileges/dbexampl_report/mainexam_qui",
            Some(json!({"privileges": "SELECT"})),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    // A user created without a database has none; the digest rotates on a password change.
    let alone = sim
        .user(
            3,
            "POST",
            "/api/server-accounts/3/mysql/users",
            Some(json!({"name": "alone", "password": "Alone-1"})),
        )
        .await;
    assert_eq!(alone.body["data"]["name"], "dbexampl_alone");
    let digest = |sim: &Sim| {
        sim.panel.dump()["accounts"]["3"]["db_users"]["dbexampl_alone"]["password"].clone()
    };
    let before = digest(&sim);
    sim.user(
        3,
        "PUT",
        "/api/server-accounts/3/mysql/users/dbexampl_alone",
        Some(json!({"password": "Alone-2"})),
    )
    .await;
    assert_ne!(digest(&sim), before);
}

#[tokio::test]
async fn vendor_client_routes_answer_what_the_client_reads() {
    let sim = world_with_archive().await;
    let login = sim.admin("GET", "/api/admin/users/login-url", None).await;
    assert_eq!(
        login.body,
        json!({"data": {"url": "http://panel.test:8443"}})
    );
    let stats = sim.admin("GET", "/api/admin/services/1/stats", None).await;
    assert_eq!(
        stats.body,
        json!({"data": {"active_instances": [], "remote_backups_size": 0, "disk_usage": 0,
                         "visitors": 0, "bandwidth": 0}})
    );
    let archived = sim.admin("GET", "/api/admin/services/2/stats", None).await;
    assert_eq!(archived.status, StatusCode::NOT_FOUND);
    // testConnection: `GET api/admin/instances` must answer 2xx.
    let instances = sim.admin("GET", "/api/admin/instances", None).await;
    assert_eq!(instances.status, StatusCode::OK);
    assert_eq!(instances.body["data"], json!([]));
    assert_eq!(instances.body["meta"]["total"], 0);
    let bad_filter = sim
        .admin("GET", "/api/admin/instances?user_id=abc", None)
        .await;
    assert_eq!(
        bad_filter.body["errors"]["user_id"],
        json!(["The user id field must be an integer."])
    );
    let unauthenticated = sim
        .send(
            Request::builder()
                .uri("/api/admin/instances")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    // `users/login-url` is matched before `users/{id}` for GET only.
    let put = sim
        .admin(
            "PUT",
            "/api/admin/users/login-url",
            Some(json!({"email": "x@y.z"})),
        )
        .await;
    assert_eq!(
        put.body["message"],
        "No query results for model [App\\Models\\User] login-url"
    );
}

/// One of everything, built through the API.
async fn busy_world() -> Sim {
    let sim = world_with_archive().await;
    let account = "/api/server-accounts/1";
    let writes = [
        (
            "POST",
            format!("{account}/dns-zones/main.example/records"),
            json!({"name": "api", "type": "A", "address": "192.0.2.50"}),
        ),
        (
            "POST",
            format!("{account}/ftp-accounts"),
            json!({"user": "ci", "domain": "main.example", "password": "Ftp-secret-9"}),
        ),
        (
            "POST",
            format!("{account}/cron-jobs"),
            json!({"minute": "1", "hour": "2", "day_of_month": "3", "month": "4", "day_of_week": "5", "command": "true"}),
        ),
        (
            "POST",
            format!("{account}/email/accounts"),
            json!({"email": "ops", "password": "Mail-secret-9", "domain": "main.example", "quota": 5}),
        ),
        (
            "POST",
            format!("{account}/email/forwarders"),
            json!({"email": "ops", "domain": "main.example", "destination": "pager@example.org"}),
        ),
        (
            "PUT",
            format!("{account}/ssl/settings/main.example"),
            json!({"force_https_redirect": true}),
        ),
    ];
    for (method, path, body) in writes {
        let answer = sim.user(1, method, &path, Some(body)).await;
        assert!(answer.status.is_success(), "{path}: {}", answer.body);
    }
    sim
}

#[tokio::test]
async fn dump_and_restore_carry_every_object_and_no_secret() {
    let sim = busy_world().await;
    let dump = sim.panel.dump();
    let account = &dump["accounts"]["1"];
    for key in [
        "dns_zones",
        "ftp_accounts",
        "mailboxes",
        "forwarders",
        "cron_jobs",
        "certificates",
    ] {
        let filled = match &account[key] {
            Value::Object(map) => !map.is_empty(),
            Value::Array(items) => !items.is_empty(),
            _ => false,
        };
        assert!(filled, "{key} is in the dump");
    }
    assert_eq!(dump["ssl_orders"]["1"]["status"], "pending");
    let text = dump.to_string();
    for secret in [
        "Ftp-secret-9",
        "Mail-secret-9",
        "owner-pass-1",
        "PRIVATE KEY",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into the dump");
    }

    let copy = Sim::new();
    copy.panel.restore(dump.clone()).unwrap();
    assert_eq!(copy.panel.dump(), dump);
    // The restored copy answers and keeps its rules.
    let listed = copy
        .user(1, "GET", "/api/server-accounts/1/ftp-accounts", None)
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 2);
    let duplicate = copy
        .user(
            1,
            "POST",
            "/api/server-accounts/1/email/accounts",
            Some(json!({"email": "ops", "password": "x", "domain": "main.example", "quota": 1})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    let order = copy
        .user(
            1,
            "POST",
            "/api/server-accounts/1/ssl/certificates/order",
            Some(json!({"domain": "main.example", "provider_id": 1})),
        )
        .await;
    assert_eq!(order.body["data"]["id"], 2, "order ids are not reused");

    // A state saved before these objects existed still restores.
    let mut old = dump.clone();
    for account in old["accounts"].as_object_mut().unwrap().values_mut() {
        let map = account.as_object_mut().unwrap();
        for key in [
            "dns_zones",
            "ftp_accounts",
            "mailboxes",
            "forwarders",
            "cron_jobs",
            "certificates",
        ] {
            map.remove(key);
        }
    }
    let map = old.as_object_mut().unwrap();
    for key in ["ssl_orders", "settings", "faults"] {
        map.remove(key);
    }
    Sim::new().panel.restore(old).unwrap();
    copy.panel.reset();
    assert_eq!(copy.panel.dump()["ssl_orders"], json!({}));
}

#[tokio::test]
async fn a_seed_of_thousands_of_objects_lands_in_one_call() {
    let count = 1_000;
    let sim = Sim::new();
    let seed = json!({"users": [{"email": "bulk@example.com", "services": [{
        "domain": "bulk.example",
        "dns_records": (0..count).map(|i| json!({"name": format!("h{i}"), "type": "TXT", "txtdata": format!("record {i}")})).collect::<Vec<_>>(),
        "cron_jobs": (0..count).map(|i| json!({"minute": "*", "hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*", "command": format!("job {i}")})).collect::<Vec<_>>(),
        "ftp_accounts": (0..count).map(|i| json!({"user": format!("ftp{i}")})).collect::<Vec<_>>(),
        "email_accounts": (0..count).map(|i| json!({"email": format!("box{i}@bulk.example")})).collect::<Vec<_>>(),
        "email_forwarders": (0..count).map(|i| json!({"email": format!("fw{i}@bulk.example"), "destination": "all@example.org"})).collect::<Vec<_>>(),
    }]}]});
    sim.panel.seed(seed).unwrap();
    let account = "/api/server-accounts/1";
    for (path, expected) in [
        (
            format!("{account}/dns-zones/bulk.example/records"),
            count + 8,
        ),
        (format!("{account}/cron-jobs"), count),
        (format!("{account}/ftp-accounts"), count),
        (format!("{account}/email/accounts"), count),
        (format!("{account}/email/forwarders"), count),
    ] {
        let answer = sim.user(1, "GET", &path, None).await;
        assert_eq!(
            answer.body["data"].as_array().map(Vec::len),
            Some(expected),
            "{path}"
        );
    }
    // A failing item leaves nothing behind.
    let before = sim.panel.dump();
    let broken = sim.panel.seed(json!({"users": [{"email": "x@example.com", "services": [{
        "domain": "x.example",
        "cron_jobs": [{"minute": "*", "hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*", "command": "ok"},
                      {"minute": "99", "hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*", "command": "bad"}]
    }]}]}));
    assert!(broken.unwrap_err().contains("minute"));
    assert_eq!(sim.panel.dump(), before);
}

#[test]
fn new_routes_have_templated_request_keys() {
    let sim = Sim::new();
    let key = |method: http::Method, path: &str| sim.panel.route_key(&method, path, b"");
    assert_eq!(
        key(
            http::Method::DELETE,
            "/api/server-accounts/3/dns-zones/a.example/records/12"
        ),
        "DELETE /api/server-accounts/{id}/dns-zones/{name}/records/{line}"
    );
    assert_eq!(
        key(
            http::Method::GET,
            "/api/server-accounts/3/ftp-accounts/server-info"
        ),
        "GET /api/server-accounts/{id}/ftp-accounts/server-info"
    );
    assert_eq!(
        key(http::Method::GET, "/api/admin/users/login-url"),
        "GET /api/admin/users/login-url"
    );
}

#[test]
fn panel_control_endpoints_validate_what_they_are_given() {
    let sim = world();
    let control = |method: http::Method, path: &str, body: Value| {
        sim.panel
            .control(&method, path, body.to_string().as_bytes())
    };
    assert_eq!(
        control(http::Method::GET, "/letsencrypt", Value::Null),
        Some((200, json!({"delay_ms": 3_600_000})))
    );
    assert_eq!(
        control(http::Method::PUT, "/letsencrypt", json!({"delay_ms": 250})),
        Some((200, json!({"delay_ms": 250})))
    );
    assert_eq!(sim.panel.dump()["settings"]["letsencrypt_delay_ms"], 250);
    let too_long = control(
        http::Method::PUT,
        "/letsencrypt",
        json!({"delay_ms": 60_001}),
    );
    assert_eq!(too_long.map(|(status, _)| status), Some(400));
    let both = control(
        http::Method::POST,
        "/archive-user",
        json!({"id": 1, "email": "owner@example.com"}),
    );
    assert_eq!(both.map(|(status, _)| status), Some(400));
    let archived = control(http::Method::POST, "/archive-user", json!({"id": 2}));
    assert_eq!(
        archived.map(|(status, body)| (status, body["archived"]["email"].clone())),
        Some((200, json!("other@example.com")))
    );
    let wrong_method = control(http::Method::DELETE, "/faults", Value::Null);
    assert_eq!(wrong_method.map(|(status, _)| status), Some(405));
    assert_eq!(control(http::Method::GET, "/nothing", Value::Null), None);
}
