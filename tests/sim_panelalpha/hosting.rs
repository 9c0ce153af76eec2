//! FTP accounts, cron jobs, and email domains/accounts/forwarders inside a hosting account.

use super::*;

const ACCOUNT: &str = "/api/server-accounts/1";

/// A value from the state dump (`GET /__sim/state`), by JSON pointer.
fn dumped(sim: &Sim, pointer: &str) -> Value {
    sim.panel
        .dump()
        .pointer(pointer)
        .cloned()
        .unwrap_or(Value::Null)
}

fn errors(answer: &Answer, field: &str) -> Value {
    assert_eq!(
        answer.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        answer.body
    );
    answer.body["errors"][field].clone()
}

#[tokio::test]
async fn ftp_accounts_life_cycle() {
    let sim = world();
    let path = format!("{ACCOUNT}/ftp-accounts");
    let listed = sim.user(1, "GET", &path, None).await;
    assert_eq!(
        listed.body["data"],
        json!([{"user": "deploy@main.example", "directory": "/public_html/deploy",
                "diskused": 0, "diskquota": "unlimited"}])
    );
    let created = sim
        .user(
            1,
            "POST",
            &path,
            Some(
                json!({"user": "Web", "domain": "shop.example", "password": "ftp-pass-1",
                        "directory": "/home/mainexam/public_html/shop", "quota": 50}),
            ),
        )
        .await;
    assert_eq!(
        (created.status, created.body.clone()),
        (
            StatusCode::OK,
            json!({"data": {"username": "web@shop.example", "domain": "shop.example"}})
        )
    );
    let listed = sim.user(1, "GET", &path, None).await;
    assert_eq!(
        listed.body["data"][1],
        json!({"user": "web@shop.example", "directory": "/public_html/shop", "diskused": 0, "diskquota": 50})
    );

    let duplicate = sim
        .user(
            1,
            "POST",
            &path,
            Some(json!({"user": "web", "domain": "shop.example", "password": "x"})),
        )
        .await;
    assert_eq!(
        errors(&duplicate, "user"),
        json!(["The user has already been taken."])
    );
    let foreign_domain = sim
        .user(
            1,
            "POST",
            &path,
            Some(json!({"user": "x", "domain": "other.example", "password": "x"})),
        )
        .await;
    assert_eq!(
        errors(&foreign_domain, "domain"),
        json!(["The selected domain is invalid."])
    );
    for directory in ["../../etc", "/home/otheruser/x"] {
        let escaping = sim
            .user(
                1,
                "POST",
                &path,
                Some(json!({"user": "x", "domain": "main.example", "password": "x", "directory": directory})),
            )
            .await;
        assert_eq!(
            errors(&escaping, "directory"),
            json!(["The directory field format is invalid."]),
            "{directory}"
        );
    }

    let digest = "/accounts/1/ftp_accounts/web@shop.example/password";
    let before = dumped(&sim, digest);
    assert!(before.is_string());
    let unlimited_without_quota = sim
        .user(
            1,
            "PUT",
            &format!("{path}/web@shop.example"),
            Some(json!({"unlimited_quota": true})),
        )
        .await;
    assert_eq!(
        errors(&unlimited_without_quota, "quota"),
        json!(["The quota field is required when unlimited quota is true."])
    );
    let updated = sim
        .user(
            1,
            "PUT",
            &format!("{path}/WEB@shop.example"),
            Some(json!({"quota": 0, "password": "ftp-pass-2"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["data"]["diskquota"], "unlimited");
    let after = dumped(&sim, digest);
    assert!(after.is_string() && after != before, "the digest rotated");
    assert!(!sim.panel.dump().to_string().contains("ftp-pass-2"));

    let info = sim
        .user(1, "GET", &format!("{path}/server-info"), None)
        .await;
    assert_eq!(
        info.body["data"],
        json!({"host": "main.example", "port": 21})
    );

    // Deleting the domain deletes its FTP accounts.
    sim.user(
        1,
        "DELETE",
        &format!("{ACCOUNT}/domains/shop.example"),
        None,
    )
    .await;
    let missing = sim
        .user(1, "DELETE", &format!("{path}/web@shop.example"), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body["message"],
        "FTP account web@shop.example not found."
    );
    let deleted = sim
        .user(1, "DELETE", &format!("{path}/deploy@main.example"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sim.user(1, "GET", &path, None).await.body["data"],
        json!([])
    );
}

#[tokio::test]
async fn cron_jobs_are_crontab_lines() {
    let sim = world();
    let path = format!("{ACCOUNT}/cron-jobs");
    let job = |minute: &str, command: &str| {
        json!({"minute": minute, "hour": "*", "day_of_month": "*", "month": "jan-jun",
               "day_of_week": "mon", "command": command})
    };
    let listed = sim.user(1, "GET", &path, None).await;
    assert_eq!(
        listed.body["data"],
        json!([{"id": "1", "line": "1", "minute": "0", "hour": "3", "day_of_month": "*",
                "month": "*", "day_of_week": "*", "command": "php /home/mainexam/cron.php"}])
    );
    for (n, command) in ["a.sh", "b.sh", "c.sh"].iter().enumerate() {
        let created = sim.user(1, "POST", &path, Some(job("*/10", command))).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.body);
        assert_eq!(created.body["data"]["line"], json!((n + 2).to_string()));
    }
    // A crontab takes the same line twice.
    let twice = sim.user(1, "POST", &path, Some(job("*/10", "c.sh"))).await;
    assert_eq!(twice.body["data"]["id"], "5");

    let invalid = sim.user(1, "POST", &path, Some(job("61", "x"))).await;
    assert_eq!(
        errors(&invalid, "minute"),
        json!(["The minute field format is invalid."])
    );
    let two_lines = sim
        .user(1, "POST", &path, Some(job("1", "a\n* * * * * evil")))
        .await;
    assert_eq!(
        errors(&two_lines, "command"),
        json!(["The command field format is invalid."])
    );

    let updated = sim
        .user(1, "PUT", &format!("{path}/3"), Some(job("5", "b2.sh")))
        .await;
    assert_eq!(
        (
            updated.body["data"]["line"].clone(),
            updated.body["data"]["command"].clone()
        ),
        (json!("3"), json!("b2.sh"))
    );
    // Deleting line 2 moves every later job up one line.
    let deleted = sim.user(1, "DELETE", &format!("{path}/2"), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let after = sim.user(1, "GET", &path, None).await;
    let commands: Vec<(Value, Value)> = after.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| (j["line"].clone(), j["command"].clone()))
        .collect();
    assert_eq!(
        commands,
        vec![
            (json!("1"), json!("php /home/mainexam/cron.php")),
            (json!("2"), json!("b2.sh")),
            (json!("3"), json!("c.sh")),
            (json!("4"), json!("c.sh")),
        ]
    );
    for line in ["5", "0", "x"] {
        let missing = sim
            .user(1, "PUT", &format!("{path}/{line}"), Some(job("1", "x")))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{line}");
    }
}

#[tokio::test]
async fn email_domains_accounts_and_forwarders() {
    let sim = world();
    let domains = sim
        .user(1, "GET", &format!("{ACCOUNT}/email/domains"), None)
        .await;
    assert_eq!(
        domains.body["data"],
        json!([{"domain": "main.example", "details": {}}, {"domain": "shop.example", "details": {}}])
    );

    let accounts = format!("{ACCOUNT}/email/accounts");
    let created = sim
        .user(
            1,
            "POST",
            &accounts,
            Some(json!({"email": "Ann", "password": "mail-pass-1", "domain": "shop.example", "quota": 250})),
        )
        .await;
    assert_eq!(
        created.body["data"],
        json!({"email": "ann@shop.example", "domain": "shop.example", "disk_usage": 0, "disk_quota": 250})
    );
    let unlimited = sim
        .user(
            1,
            "POST",
            &accounts,
            Some(
                json!({"email": "big@shop.example", "password": "x", "domain": "shop.example",
                        "quota": 10, "unlimited_quota": true}),
            ),
        )
        .await;
    assert_eq!(unlimited.body["data"]["disk_quota"], "unlimited");
    let cases = [
        (
            json!({"email": "ann@shop.example", "password": "x", "domain": "shop.example", "quota": 1}),
            "email",
            "The email has already been taken.",
        ),
        (
            json!({"email": "ann@main.example", "password": "x", "domain": "shop.example", "quota": 1}),
            "email",
            "The email must be an address in shop.example.",
        ),
        (
            json!({"email": "a b", "password": "x", "domain": "shop.example", "quota": 1}),
            "email",
            "The email field must be a valid email address.",
        ),
        (
            json!({"email": "x", "password": "x", "domain": "nope.example", "quota": 1}),
            "domain",
            "The selected domain is invalid.",
        ),
        (
            json!({"email": "x", "password": "x", "domain": "shop.example", "quota": -1}),
            "quota",
            "The quota field must be at least 0.",
        ),
    ];
    for (body, field, message) in cases {
        let answer = sim.user(1, "POST", &accounts, Some(body.clone())).await;
        assert_eq!(errors(&answer, field), json!([message]), "{body}");
    }
    let shown = sim
        .user(1, "GET", &format!("{accounts}/ANN@shop.example"), None)
        .await;
    assert_eq!(shown.body["data"]["email"], "ann@shop.example");

    let digest = "/accounts/1/mailboxes/ann@shop.example/password";
    let before = dumped(&sim, digest);
    let no_quota = sim
        .user(
            1,
            "PUT",
            &format!("{accounts}/ann@shop.example"),
            Some(json!({"password": "mail-pass-2"})),
        )
        .await;
    assert_eq!(
        errors(&no_quota, "quota"),
        json!(["The quota field is required."])
    );
    assert_eq!(
        dumped(&sim, digest),
        before,
        "a refused update changes nothing"
    );
    let rotated = sim
        .user(
            1,
            "PUT",
            &format!("{accounts}/ann@shop.example"),
            Some(json!({"quota": 0, "password": "mail-pass-2"})),
        )
        .await;
    assert_eq!(rotated.body["data"]["disk_quota"], "unlimited");
    let after = dumped(&sim, digest);
    assert!(after.is_string() && after != before, "the digest rotated");
    assert!(!sim.panel.dump().to_string().contains("mail-pass"));

    let forwarders = format!("{ACCOUNT}/email/forwarders");
    for destination in ["one@example.org", "two@example.org"] {
        let answer = sim
            .user(
                1,
                "POST",
                &forwarders,
                Some(
                    json!({"email": "team", "domain": "shop.example", "destination": destination}),
                ),
            )
            .await;
        assert_eq!(
            answer.body["data"],
            json!({"email": "team@shop.example", "forward_to": destination})
        );
    }
    let same_pair = sim
        .user(
            1,
            "POST",
            &forwarders,
            Some(json!({"email": "team@shop.example", "domain": "shop.example", "destination": "ONE@example.org"})),
        )
        .await;
    assert_eq!(
        errors(&same_pair, "destination"),
        json!(["The destination has already been taken."])
    );
    let bad_destination = sim
        .user(
            1,
            "POST",
            &forwarders,
            Some(json!({"email": "team", "domain": "shop.example", "destination": "nowhere"})),
        )
        .await;
    assert_eq!(
        errors(&bad_destination, "destination"),
        json!(["The destination field must be a valid email address."])
    );
    let listed = sim.user(1, "GET", &forwarders, None).await;
    assert_eq!(
        listed.body["data"],
        json!([
            {"email": "sales@main.example", "forward_to": "boss@example.org"},
            {"email": "team@shop.example", "forward_to": "one@example.org"},
            {"email": "team@shop.example", "forward_to": "two@example.org"}
        ])
    );
    // Deleting a source removes all its destinations.
    let deleted = sim
        .user(
            1,
            "DELETE",
            &format!("{forwarders}/team@shop.example"),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let again = sim
        .user(
            1,
            "DELETE",
            &format!("{forwarders}/team@shop.example"),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // Deleting a domain deletes its mailboxes and forwarders.
    sim.user(
        1,
        "DELETE",
        &format!("{ACCOUNT}/domains/shop.example"),
        None,
    )
    .await;
    let gone = sim
        .user(1, "GET", &format!("{accounts}/ann@shop.example"), None)
        .await;
    assert_eq!(
        (gone.status, gone.body),
        (
            StatusCode::NOT_FOUND,
            json!({"message": "Email account ann@shop.example not found."})
        )
    );
    let deleted = sim
        .user(1, "DELETE", &format!("{accounts}/info@main.example"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(
        sim.user(1, "GET", &accounts, None).await.body["data"],
        json!([])
    );
}
