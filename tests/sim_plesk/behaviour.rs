//! Behaviour users rely on: one state behind both APIs, documented error codes.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{assert_system_error, Sim, Tree};

fn tree(xml: &str) -> Tree {
    Tree::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"))
}

/// `(status, errcode)` of the first result under `path`.
fn outcome(xml: &str, path: &str) -> (String, Option<String>) {
    let answer = tree(xml);
    let result = answer
        .at(path)
        .unwrap_or_else(|| panic!("no {path} in {xml}"));
    (
        result.text_at("status").unwrap_or_default(),
        result.text_at("errcode"),
    )
}

const ADD_CUSTOMER: &str = "<packet><customer><add><gen_info><pname>John Smith</pname><login>jsmith</login><passwd>simple-password</passwd></gen_info></add></customer></packet>";

#[tokio::test]
async fn xml_check_up_errors_use_the_documented_codes() {
    let sim = Sim::new();
    let packet = "<packet><server><get_protos/></server></packet>";
    assert_system_error(
        &sim.xml_with(
            &[("HTTP_AUTH_LOGIN", "admin"), ("HTTP_AUTH_PASSWD", "wrong")],
            packet,
        )
        .await,
        1001,
    );
    assert_system_error(&sim.xml_with(&[], packet).await, 1001);
    assert_system_error(&sim.xml_with(&[("KEY", "not-a-key")], packet).await, 11003);
    assert_system_error(
        &sim.xml("<packet version=\"100.0.0\"><server><get_protos/></server></packet>")
            .await,
        1005,
    );
    assert_system_error(&sim.xml("<packet><unknown/></packet>").await, 1014);
    assert_system_error(
        &sim.xml("<packet><wrongly formatted xml</packet>").await,
        1014,
    );
    assert_system_error(&sim.xml("<packet/>").await, 1014);
    assert_system_error(&sim.xml("<packet><customer><add><gen_info><login>x</login></gen_info></add></customer></packet>").await, 1014);
    // A packet that fails the check-up changes nothing, even if earlier operations were fine.
    let mixed = ADD_CUSTOMER.replace("</customer></packet>", "</customer><unknown/></packet>");
    assert_system_error(&sim.xml(&mixed).await, 1014);
    let all = sim.xml("<packet><customer><get><filter/><dataset><gen_info/></dataset></get></customer></packet>").await;
    assert!(
        tree(&all).at("customer/get/result/id").is_none(),
        "nothing was created: {all}"
    );

    let key = sim.credentials()["secret_key"]
        .as_str()
        .expect("secret_key")
        .to_owned();
    let with_key = sim
        .xml_with(
            &[("KEY", &key)],
            "<packet version=\"1.6\"><server><get_protos/></server></packet>",
        )
        .await;
    assert_eq!(outcome(&with_key, "server/get_protos/result").0, "ok");
}

#[tokio::test]
async fn xml_operations_in_one_packet_are_answered_in_order() {
    let sim = Sim::new();
    let packet = "<packet><server><get_protos/></server><customer><add><gen_info><pname>A</pname><login>a1</login><passwd>secret1</passwd></gen_info></add><get><filter><login>a1</login></filter><dataset><gen_info/></dataset></get></customer><ip><get/></ip></packet>";
    let answer = tree(&sim.xml(packet).await);
    let operators: Vec<&str> = answer.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(operators, ["server", "customer", "ip"]);
    let operations: Vec<&str> = answer.children[1]
        .children
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(operations, ["add", "get"]);
    assert_eq!(
        answer.text_at("customer/get/result/filter-id").as_deref(),
        Some("a1")
    );
    assert_eq!(
        answer
            .text_at("customer/get/result/data/gen_info/login")
            .as_deref(),
        Some("a1")
    );
}

#[tokio::test]
async fn xml_result_errors_carry_codes_and_the_filter() {
    let sim = Sim::new();
    assert_eq!(
        outcome(&sim.xml(ADD_CUSTOMER).await, "customer/add/result").0,
        "ok"
    );
    let duplicate = sim.xml(ADD_CUSTOMER).await;
    assert_eq!(
        outcome(&duplicate, "customer/add/result"),
        ("error".into(), Some("1002".into()))
    );

    let missing = sim.xml("<packet><customer><get><filter><id>9999</id></filter><dataset><gen_info/></dataset></get></customer></packet>").await;
    let result = tree(&missing)
        .at("customer/get/result")
        .cloned()
        .expect("result");
    let order: Vec<&str> = result.children.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order, ["status", "errcode", "errtext", "id"], "{missing}");
    assert_eq!(result.text_at("errcode").as_deref(), Some("1013"));

    let by_name = sim.xml("<packet><webspace><del><filter><name>nothing.example</name></filter></del></webspace></packet>").await;
    assert_eq!(
        outcome(&by_name, "webspace/del/result"),
        ("error".into(), Some("1013".into()))
    );
    assert_eq!(
        tree(&by_name)
            .text_at("webspace/del/result/filter-id")
            .as_deref(),
        Some("nothing.example")
    );

    // One failing operation does not stop the next one.
    let batch = sim.xml("<packet><customer><del><filter><login>ghost</login></filter></del><del><filter><login>jsmith</login></filter></del></customer></packet>").await;
    let dels: Vec<String> = tree(&batch)
        .child("customer")
        .expect("customer")
        .children
        .iter()
        .map(|d| d.text_at("result/status").unwrap_or_default())
        .collect();
    assert_eq!(dels, ["error", "ok"]);

    // Webspace get with a group filter that matches nothing: no result, no error.
    let empty = sim.xml("<packet><webspace><get><filter><owner-login>admin</owner-login></filter><dataset><gen_info/></dataset></get></webspace></packet>").await;
    assert!(
        tree(&empty)
            .at("webspace/get")
            .expect("get")
            .children
            .is_empty(),
        "{empty}"
    );
}

#[tokio::test]
async fn password_policy_is_switchable_by_seed_and_applies_to_both_apis() {
    let sim = Sim::seeded(json!({"password_strength": "strong"}));
    let weak = sim.xml(ADD_CUSTOMER).await;
    assert_eq!(
        outcome(&weak, "customer/add/result"),
        ("error".into(), Some("1019".into()))
    );
    assert!(
        !weak.contains("simple-password"),
        "the password never appears in errors"
    );
    let rest = sim
        .rest(Method::POST, "/api/v2/clients", Some(json!({"name": "A", "login": "a1", "password": "simple-password", "email": "", "type": "customer"})))
        .await;
    assert_eq!(rest.status, StatusCode::BAD_REQUEST);
    let message = rest.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.starts_with("password"),
        "the field is named: {message}"
    );
    assert!(!message.contains("simple-password"));
    let strong = ADD_CUSTOMER.replace("simple-password", "test-&amp;PWD*1@42!13#");
    assert_eq!(
        outcome(&sim.xml(&strong).await, "customer/add/result").0,
        "ok"
    );

    // The real default is "very weak".
    assert_eq!(
        outcome(&Sim::new().xml(ADD_CUSTOMER).await, "customer/add/result").0,
        "ok"
    );
}

#[tokio::test]
async fn one_state_serves_both_apis() {
    let sim = Sim::new();
    let client = sim
        .rest(Method::POST, "/api/v2/clients", Some(json!({"name": "Ann", "login": "ann", "password": "secret1", "email": "ann@example.com", "type": "customer"})))
        .await;
    assert_eq!(client.status, StatusCode::CREATED);
    let client_id = client.json()["id"].as_u64().expect("id");

    let add = "<packet><webspace><add><gen_setup><name>Ann.Example</name><owner-login>ann</owner-login><ip_address>203.0.113.10</ip_address></gen_setup><hosting><vrt_hst><property><name>ftp_login</name><value>annftp</value></property><property><name>ftp_password</name><value>secret1</value></property><ip_address>203.0.113.10</ip_address></vrt_hst></hosting><plan-name>Unlimited</plan-name></add></webspace></packet>";
    let added = tree(&sim.xml(add).await);
    let webspace: u64 = added
        .text_at("webspace/add/result/id")
        .expect("id")
        .parse()
        .expect("numeric");

    let listed = sim
        .rest(Method::GET, "/api/v2/domains?name=ann.example", None)
        .await
        .json();
    assert_eq!(
        listed[0]["id"], webspace,
        "names are case-insensitive and stored lower case"
    );
    assert_eq!(listed[0]["hosting_type"], "virtual");
    let owner = sim
        .rest(
            Method::GET,
            &format!("/api/v2/domains/{webspace}/client"),
            None,
        )
        .await
        .json();
    assert_eq!(owner["id"], client_id);

    let hosting = tree(&sim.xml(&format!("<packet><webspace><get><filter><id>{webspace}</id></filter><dataset><hosting/></dataset></get></webspace></packet>")).await);
    let vrt = hosting
        .at("webspace/get/result/data/hosting/vrt_hst")
        .expect("vrt_hst");
    let ftp: Vec<String> = vrt
        .children
        .iter()
        .filter(|p| p.text_at("name").as_deref() == Some("ftp_login"))
        .filter_map(|p| p.text_at("value"))
        .collect();
    assert_eq!(ftp, ["annftp"]);
    assert_eq!(vrt.text_at("ip_address").as_deref(), Some("203.0.113.10"));
    assert!(
        !vrt.children
            .iter()
            .any(|p| p.text_at("name").as_deref() == Some("ftp_password")),
        "write-only"
    );

    // The FTP login is unique across both APIs.
    let clash = sim
        .rest(Method::POST, "/api/v2/domains", Some(json!({"name": "other.example", "hosting_type": "virtual", "hosting_settings": {"ftp_login": "annftp", "ftp_password": "secret1"}, "ip_addresses": ["203.0.113.10"]})))
        .await;
    assert_eq!(clash.status, StatusCode::BAD_REQUEST);
    let clash_xml = sim.xml(&add.replace("Ann.Example", "third.example")).await;
    assert_eq!(
        outcome(&clash_xml, "webspace/add/result"),
        ("error".into(), Some("1007".into()))
    );

    // Subdomain through XML (parent-site), seen through REST.
    let sub = tree(&sim.xml(&format!("<packet><site><add><gen_setup><name>blog.ann.example</name><parent-site-id>{webspace}</parent-site-id></gen_setup></add></site></packet>")).await);
    let sub_id: u64 = sub
        .text_at("site/add/result/id")
        .expect("id")
        .parse()
        .expect("numeric");
    let sub_rest = sim
        .rest(Method::GET, &format!("/api/v2/domains/{sub_id}"), None)
        .await
        .json();
    assert_eq!(sub_rest["base_domain_id"], webspace);

    // Deleting the customer through XML removes its subscription for REST too.
    let del = sim
        .xml("<packet><customer><del><filter><login>ann</login></filter></del></customer></packet>")
        .await;
    assert_eq!(outcome(&del, "customer/del/result").0, "ok");
    assert_eq!(
        sim.rest(Method::GET, &format!("/api/v2/domains/{webspace}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sim.rest(Method::GET, &format!("/api/v2/domains/{sub_id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn xml_database_lifecycle() {
    let sim = Sim::seeded(
        json!({"domains": [{"name": "db.example", "ftp_login": "dbftp", "ftp_password": "secret1"}]}),
    );
    let empty = sim.xml("<packet><database><get-db><filter><webspace-id>1</webspace-id></filter></get-db></database></packet>").await;
    let result = tree(&empty)
        .at("database/get-db/result")
        .cloned()
        .expect("one result");
    assert_eq!(result.text_at("status").as_deref(), Some("ok"));
    assert!(result.child("id").is_none(), "no database, no id: {empty}");

    let add = "<packet><database><add-db><webspace-id>1</webspace-id><name>shop</name><type>mysql</type></add-db></database></packet>";
    let db: String = tree(&sim.xml(add).await)
        .text_at("database/add-db/result/id")
        .expect("id");
    assert_eq!(
        outcome(&sim.xml(add).await, "database/add-db/result"),
        ("error".into(), Some("1007".into()))
    );
    let wrong_type = "<packet><database><add-db><webspace-id>1</webspace-id><name>pg</name><type>postgresql</type><db-server-id>1</db-server-id></add-db></database></packet>";
    assert_eq!(
        outcome(&sim.xml(wrong_type).await, "database/add-db/result"),
        ("error".into(), Some("14008".into()))
    );

    let user = format!("<packet><database><add-db-user><db-id>{db}</db-id><login>shopuser</login><password>secret1</password></add-db-user></database></packet>");
    let user_id = tree(&sim.xml(&user).await)
        .text_at("database/add-db-user/result/id")
        .expect("id");
    let got = tree(
        &sim.xml(&format!(
            "<packet><database><get-db><filter><id>{db}</id></filter></get-db></database></packet>"
        ))
        .await,
    );
    let fields: Vec<&str> = got
        .at("database/get-db/result")
        .expect("result")
        .children
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "status",
            "filter-id",
            "id",
            "name",
            "type",
            "webspace-id",
            "db-server-id",
            "default-user-id"
        ]
    );
    assert_eq!(
        got.text_at("database/get-db/result/default-user-id"),
        Some(user_id.clone())
    );

    let set = format!("<packet><database><set-db-user><id>{user_id}</id><login>shopuser2</login><password>secret2</password></set-db-user></database></packet>");
    assert_eq!(
        outcome(&sim.xml(&set).await, "database/set-db-user/result").0,
        "ok"
    );
    let users = tree(&sim.xml(&format!("<packet><database><get-db-users><filter><db-id>{db}</db-id></filter></get-db-users></database></packet>")).await);
    assert_eq!(
        users
            .text_at("database/get-db-users/result/login")
            .as_deref(),
        Some("shopuser2")
    );
    assert!(users.at("database/get-db-users/result/password").is_none());

    // The REST view of the same database.
    let rest = sim
        .rest(Method::GET, "/api/v2/databases?domain=db.example", None)
        .await
        .json();
    assert_eq!(rest[0]["name"], "shop");
    assert_eq!(
        rest[0]["default_user_id"].as_u64().map(|v| v.to_string()),
        Some(user_id.clone())
    );

    let del_user = format!("<packet><database><del-db-user><filter><id>{user_id}</id></filter></del-db-user></database></packet>");
    assert_eq!(
        outcome(&sim.xml(&del_user).await, "database/del-db-user/result").0,
        "ok"
    );
    let del_db = format!(
        "<packet><database><del-db><filter><id>{db}</id></filter></del-db></database></packet>"
    );
    assert_eq!(
        outcome(&sim.xml(&del_db).await, "database/del-db/result").0,
        "ok"
    );
    assert_eq!(
        outcome(&sim.xml(&del_db).await, "database/del-db/result"),
        ("error".into(), Some("1013".into()))
    );
}

#[tokio::test]
async fn xml_secret_keys_work_on_rest() {
    let sim = Sim::new();
    let created = tree(&sim.xml("<packet><secret_key><create><ip_address>192.0.2.7</ip_address></create></secret_key></packet>").await);
    let key = created
        .text_at("secret_key/create/result/key")
        .expect("key");
    let reply = sim
        .rest_with(Method::GET, "/api/v2/server", None, &[("x-api-key", &key)])
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let deleted = sim.xml(&format!("<packet><secret_key><delete><filter><key>{key}</key></filter></delete></secret_key></packet>")).await;
    assert_eq!(outcome(&deleted, "secret_key/delete/result").0, "ok");
    let info = sim.xml(&format!("<packet><secret_key><get_info><filter><key>{key}</key></filter></get_info></secret_key></packet>")).await;
    assert_eq!(
        outcome(&info, "secret_key/get_info/result"),
        ("error".into(), Some("1013".into()))
    );
}

#[tokio::test]
async fn customer_set_changes_fields_and_status() {
    let sim = Sim::new();
    sim.xml(ADD_CUSTOMER).await;
    let set = "<packet><customer><set><filter><login>jsmith</login></filter><values><gen_info><email>j@smith.example</email><status>16</status></gen_info></values></set></customer></packet>";
    let answer = tree(&sim.xml(set).await);
    assert_eq!(
        answer.text_at("customer/set/result/status").as_deref(),
        Some("ok")
    );
    assert_eq!(
        answer.text_at("customer/set/result/filter-id").as_deref(),
        Some("jsmith")
    );
    let clients = sim.rest(Method::GET, "/api/v2/clients", None).await.json();
    let jsmith = clients
        .as_array()
        .expect("array")
        .iter()
        .find(|c| c["login"] == "jsmith")
        .cloned()
        .expect("listed");
    assert_eq!(jsmith["email"], "j@smith.example");
    assert_eq!(jsmith["status"], 16);
    let bad = sim
        .xml(&set.replace("<status>16</status>", "<status>4</status>"))
        .await;
    assert_eq!(
        outcome(&bad, "customer/set/result"),
        ("error".into(), Some("1019".into()))
    );
}
