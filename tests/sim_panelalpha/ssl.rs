//! SSL certificates: uploaded PEM certificates, the certificate store, the force-HTTPS
//! setting, and Let's Encrypt orders issued after a configurable delay.

use super::*;

const SSL: &str = "/api/server-accounts/1/ssl";

/// A self-signed certificate and its key, in PEM, for `names`.
fn pem_pair(names: &[&str]) -> (String, String) {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let certified = rcgen::generate_simple_self_signed(names).expect("certificate");
    (certified.cert.pem(), certified.signing_key.serialize_pem())
}

#[tokio::test]
async fn uploaded_certificates_are_checked_stored_and_installed() {
    let sim = world();
    let none = sim
        .user(1, "GET", &format!("{SSL}?domain=shop.example"), None)
        .await;
    assert_eq!(
        (none.status, none.body),
        (StatusCode::OK, json!({"data": []}))
    );
    let unknown = sim
        .user(1, "GET", &format!("{SSL}?domain=nothing.example"), None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let (pem, key) = pem_pair(&["shop.example", "www.shop.example"]);
    let installed = sim
        .user(
            1,
            "PUT",
            &format!("{SSL}/certificates/install"),
            Some(json!({"domain": "shop.example", "certificate": pem, "key": key})),
        )
        .await;
    assert_eq!(installed.status, StatusCode::OK, "{}", installed.body);
    let data = &installed.body["data"];
    assert_eq!(data["domain"], "shop.example");
    assert_eq!(data["domains"], json!(["shop.example", "www.shop.example"]));
    assert_eq!(data["name_match"], true);
    assert_eq!(data["self_signed"], true);
    assert_eq!(data["certificate_text"], pem.trim());
    assert!(data["not_before"].as_str().unwrap() < data["not_after"].as_str().unwrap());
    let id = data["id"].as_str().unwrap().to_string();
    let read = sim
        .user(1, "GET", &format!("{SSL}?domain=shop.example"), None)
        .await;
    assert_eq!(&read.body["data"], data);

    let domains = sim.user(1, "GET", &format!("{SSL}/domains"), None).await;
    let listed: Vec<(Value, Value)> = domains.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["domain"].clone(), d["auto_installed"].clone()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (json!("main.example"), json!(false)),
            (json!("shop.example"), json!(false))
        ]
    );
    let admin = sim
        .admin("GET", "/api/admin/hosting-accounts/1/ssl-domains", None)
        .await;
    assert_eq!(admin.body, domains.body);
    let stored = sim
        .user(
            1,
            "GET",
            &format!("{SSL}/certificates?domain=www.shop.example"),
            None,
        )
        .await;
    assert_eq!(stored.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(stored.body["data"][0]["id"], id.as_str());

    // The stored certificate can be installed by id elsewhere; it does not cover that name.
    let by_id = sim
        .user(
            1,
            "PUT",
            &format!("{SSL}/certificates/install"),
            Some(json!({"domain": "main.example", "certificate_id": id})),
        )
        .await;
    assert_eq!(by_id.body["data"]["name_match"], false);

    let (other_pem, _) = pem_pair(&["shop.example"]);
    let (_, other_key) = pem_pair(&["shop.example"]);
    let field_errors = [
        (
            json!({"domain": "shop.example", "certificate": other_pem, "key": other_key}),
            "key",
            "The key does not match the certificate.",
        ),
        (
            json!({"domain": "shop.example", "certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", "key": key}),
            "certificate",
            "The certificate field must be a PEM encoded X.509 certificate.",
        ),
        (
            json!({"domain": "shop.example", "certificate": pem, "key": "secret"}),
            "key",
            "The key field must be a PEM encoded private key.",
        ),
        (
            json!({"domain": "shop.example", "key": key}),
            "certificate",
            "The certificate field is required when certificate id is not present.",
        ),
        (
            json!({"domain": "shop.example", "certificate_id": "nope"}),
            "certificate_id",
            "The selected certificate id is invalid.",
        ),
        (
            json!({"domain": "other.example", "certificate_id": id}),
            "domain",
            "The selected domain is invalid.",
        ),
    ];
    for (body, field, message) in field_errors {
        let answer = sim
            .user(1, "PUT", &format!("{SSL}/certificates/install"), Some(body))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        assert_eq!(answer.body["errors"][field], json!([message]), "{field}");
    }
    // Private keys never reach the state (nor any answer).
    let dump = sim.panel.dump().to_string();
    assert!(!dump.contains("PRIVATE KEY"));

    let settings = format!("{SSL}/settings/shop.example");
    assert_eq!(
        sim.user(1, "GET", &settings, None).await.body,
        json!({"data": {"force_https_redirect": false}})
    );
    let set = sim
        .user(
            1,
            "PUT",
            &settings,
            Some(json!({"force_https_redirect": true})),
        )
        .await;
    assert_eq!(set.body, json!({"data": {"force_https_redirect": true}}));
    assert_eq!(
        sim.user(1, "GET", &settings, None).await.body["data"]["force_https_redirect"],
        true
    );
}

#[tokio::test]
async fn lets_encrypt_orders_issue_a_self_signed_certificate_after_the_delay() {
    let sim = world();
    sim.panel
        .seed(json!({"settings": {"letsencrypt_delay_ms": 200}}))
        .unwrap();
    let offer = sim.user(1, "GET", "/api/ssl-offer", None).await;
    assert_eq!(offer.body["data"][0]["id"], 1);
    assert_eq!(offer.body["data"][0]["name"], "Let's Encrypt");
    let providers = sim.admin("GET", "/api/admin/ssl/providers", None).await;
    assert_eq!(providers.body, offer.body);

    let order_path = format!("{SSL}/certificates/order");
    let bad_provider = sim
        .user(
            1,
            "POST",
            &order_path,
            Some(json!({"domain": "shop.example", "provider_id": 2})),
        )
        .await;
    assert_eq!(
        bad_provider.body["errors"]["provider_id"],
        json!(["The selected provider id is invalid."])
    );
    let ordered = sim
        .user(
            1,
            "POST",
            &order_path,
            Some(json!({"domain": "shop.example", "provider_id": 1})),
        )
        .await;
    assert_eq!(ordered.status, StatusCode::OK, "{}", ordered.body);
    assert_eq!(ordered.body["data"]["status"], "pending");
    let order_id = ordered.body["data"]["id"].as_u64().unwrap();
    let twice = sim
        .user(
            1,
            "POST",
            &order_path,
            Some(json!({"domain": "shop.example", "provider_id": 1})),
        )
        .await;
    assert_eq!(
        twice.body,
        json!({"message": "An SSL order for shop.example is already in progress."})
    );
    let pending = sim
        .user(1, "GET", &format!("{SSL}?domain=shop.example"), None)
        .await;
    assert_eq!(pending.body, json!({"data": []}), "not issued yet");

    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let issued = sim
        .user(1, "GET", &format!("{SSL}?domain=shop.example"), None)
        .await;
    let data = &issued.body["data"];
    assert_eq!(data["issuer_name"], "panel-sim Let's Encrypt");
    assert_eq!(data["common_name"], "shop.example");
    assert_eq!(data["self_signed"], true);
    assert!(data["certificate_text"]
        .as_str()
        .is_some_and(|pem| pem.starts_with("-----BEGIN CERTIFICATE-----")));
    let domains = sim.user(1, "GET", &format!("{SSL}/domains"), None).await;
    let shop = domains.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["domain"] == "shop.example")
        .cloned()
        .unwrap();
    assert_eq!(shop["auto_installed"], true);
    let orders = sim.admin("GET", "/api/admin/ssl-orders", None).await;
    assert_eq!(orders.body["meta"]["total"], 1);
    assert_eq!(orders.body["data"][0]["id"], order_id);
    assert_eq!(orders.body["data"][0]["status"], "completed");
    let late = sim
        .admin(
            "PUT",
            &format!("/api/admin/ssl-orders/{order_id}/abandon"),
            None,
        )
        .await;
    assert_eq!(
        (late.status, late.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"message": format!("The SSL order {order_id} is completed.")})
        )
    );
}

#[tokio::test]
async fn pending_orders_can_be_processed_abandoned_or_fail() {
    // The world keeps orders pending for an hour.
    let sim = world();
    let order = |domain: &'static str| {
        let sim = &sim;
        async move {
            let answer = sim
                .user(
                    1,
                    "POST",
                    &format!("{SSL}/certificates/order"),
                    Some(json!({"domain": domain, "provider_id": 1})),
                )
                .await;
            answer.body["data"]["id"].as_u64().unwrap()
        }
    };
    let processed = order("main.example").await;
    let answer = sim
        .admin(
            "PUT",
            &format!("/api/admin/ssl-orders/{processed}/process"),
            None,
        )
        .await;
    assert_eq!(answer.body["data"]["status"], "completed");
    let installed = sim
        .user(1, "GET", &format!("{SSL}?domain=main.example"), None)
        .await;
    assert_eq!(
        installed.body["data"]["issuer_name"],
        "panel-sim Let's Encrypt"
    );

    let abandoned = order("shop.example").await;
    let answer = sim
        .admin(
            "PUT",
            &format!("/api/admin/ssl-orders/{abandoned}/abandon"),
            None,
        )
        .await;
    assert_eq!(answer.body["data"]["status"], "abandoned");

    // The domain goes before the certificate is issued: the order fails.
    let failing = order("shop.example").await;
    sim.user(
        1,
        "DELETE",
        "/api/server-accounts/1/domains/shop.example",
        None,
    )
    .await;
    let answer = sim
        .admin(
            "PUT",
            &format!("/api/admin/ssl-orders/{failing}/process"),
            None,
        )
        .await;
    assert_eq!(answer.body["data"]["status"], "failed");
    let missing = sim
        .admin("PUT", "/api/admin/ssl-orders/99/process", None)
        .await;
    assert_eq!(
        missing.body,
        json!({"message": "No query results for model [App\\Models\\SslOrder] 99"})
    );
}
