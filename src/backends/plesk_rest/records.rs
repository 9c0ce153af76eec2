//! Compact, indexed forms of the lists Plesk answers: only the fields the backend reads
//! (serde drops the rest while parsing), indexed by what reads look them up by, so a
//! refresh of thousands of resources is one hash lookup each.

use std::collections::HashMap;

use super::wire::{Client, Database, DatabaseUser, DomainReference, DomainResponse};
use crate::panel::names::DomainName;
use crate::panel::{Domain, DomainKind};

/// Every customer (`GET /clients`), by id and by login.
#[derive(Debug, Default)]
pub struct Clients {
    by_id: HashMap<i64, Client>,
    /// Lowercased login -> ids (Plesk compares logins without case; keep every match
    /// so an exact spelling still wins).
    by_login: HashMap<String, Vec<i64>>,
}

impl Clients {
    pub fn new(list: Vec<Client>) -> Self {
        let mut clients = Self::default();
        for client in list {
            clients.upsert(client);
        }
        clients
    }

    pub fn get(&self, id: i64) -> Option<&Client> {
        self.by_id.get(&id)
    }

    /// The customer with `login`: the exact spelling first, else one differing in case.
    pub fn with_login(&self, login: &str) -> Option<&Client> {
        let ids = self.by_login.get(&login.to_lowercase())?;
        let candidates = || ids.iter().filter_map(|id| self.by_id.get(id));
        candidates()
            .find(|c| c.login == login)
            .or_else(|| candidates().next())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Client> {
        self.by_id.values()
    }

    /// Adds or replaces a customer (a client without an id cannot be indexed: skipped).
    pub fn upsert(&mut self, client: Client) {
        let Some(id) = client.id else { return };
        self.remove(id);
        self.by_login
            .entry(client.login.to_lowercase())
            .or_default()
            .push(id);
        self.by_id.insert(id, client);
    }

    pub fn remove(&mut self, id: i64) {
        let Some(old) = self.by_id.remove(&id) else {
            return;
        };
        let key = old.login.to_lowercase();
        if let Some(ids) = self.by_login.get_mut(&key) {
            ids.retain(|other| *other != id);
            if ids.is_empty() {
                self.by_login.remove(&key);
            }
        }
    }
}

/// One domain as the backend keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainRecord {
    pub id: i64,
    /// Normal form (lowercase ASCII / punycode) of `ascii_name`, else `name`.
    pub name: String,
    /// The subscription an addon domain or subdomain belongs to; `None` for a
    /// subscription. The spec does not say what `base_domain_id` a subscription
    /// reports: 0, null and its own id all mean "none".
    pub base: Option<i64>,
    pub www_root: Option<String>,
    pub guid: Option<String>,
}

impl DomainRecord {
    /// `None` for an entry without an id (nothing could refer to it).
    pub fn from_wire(domain: DomainResponse) -> Option<Self> {
        let id = domain.id?;
        let raw = domain
            .ascii_name
            .filter(|n| !n.is_empty())
            .unwrap_or(domain.name);
        Some(Self {
            id,
            name: DomainName::lenient(&raw).to_string(),
            base: domain.base_domain_id.filter(|b| *b > 0 && *b != id),
            www_root: domain.www_root.filter(|w| !w.is_empty()),
            guid: domain.guid,
        })
    }

    pub fn reference(&self) -> DomainReference {
        DomainReference {
            id: Some(self.id),
            name: Some(self.name.clone()),
            guid: self.guid.clone(),
        }
    }
}

/// A set of domains (one customer's, or the whole panel's), by id, name and
/// subscription.
#[derive(Debug, Default)]
pub struct Domains {
    records: Vec<DomainRecord>,
    by_id: HashMap<i64, usize>,
    by_name: HashMap<String, usize>,
    /// Subscription id -> its addon domains and subdomains.
    by_subscription: HashMap<i64, Vec<usize>>,
}

impl Domains {
    pub fn new(list: Vec<DomainResponse>) -> Self {
        let mut domains = Self::default();
        for record in list.into_iter().filter_map(DomainRecord::from_wire) {
            let index = domains.records.len();
            domains.by_id.insert(record.id, index);
            domains.by_name.insert(record.name.clone(), index);
            if let Some(base) = record.base {
                domains.by_subscription.entry(base).or_default().push(index);
            }
            domains.records.push(record);
        }
        domains
    }

    pub fn get(&self, id: i64) -> Option<&DomainRecord> {
        self.by_id.get(&id).map(|i| &self.records[*i])
    }

    /// The domain called `name` (normal form).
    pub fn named(&self, name: &str) -> Option<&DomainRecord> {
        self.by_name.get(name).map(|i| &self.records[*i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &DomainRecord> {
        self.records.iter()
    }

    /// The neutral domain for `record`, owned by `owner`. `DomainResponse` does not
    /// tell addon domains from subdomains: a domain inside a subscription whose name
    /// lies under another domain of that subscription reads as a subdomain of the
    /// closest such domain, anything else as an addon of the subscription. (An addon
    /// domain named under a sibling, e.g. `shop.example.com` added as an addon of
    /// `example.com`, therefore reads back as a subdomain.)
    pub fn model(&self, owner: i64, record: &DomainRecord) -> Domain {
        let (kind, parent) = match record.base {
            None => (DomainKind::Main, None),
            Some(base) => {
                let subscription = self.get(base);
                let siblings = self
                    .by_subscription
                    .get(&base)
                    .into_iter()
                    .flatten()
                    .map(|i| &self.records[*i]);
                let closest_parent = subscription
                    .into_iter()
                    .chain(siblings)
                    .filter(|d| d.id != record.id)
                    .filter(|d| is_below(&record.name, &d.name))
                    .max_by_key(|d| d.name.len());
                match closest_parent {
                    Some(parent) => (DomainKind::Subdomain, Some(parent.name.clone())),
                    None => (DomainKind::Addon, subscription.map(|s| s.name.clone())),
                }
            }
        };
        Domain {
            id: format!("{owner}/{}", record.id),
            name: record.name.clone(),
            owner: owner.to_string(),
            kind,
            parent,
            document_root: record.www_root.clone(),
            home: None,
            php_version: None,
            ip_address: None,
        }
    }
}

/// Whether `name` lies strictly below `parent` (`blog.example.com` below `example.com`).
pub fn is_below(name: &str, parent: &str) -> bool {
    name.len() > parent.len() + 1
        && name.ends_with(parent)
        && name.as_bytes()[name.len() - parent.len() - 1] == b'.'
}

/// Every database (`GET /databases`), by id.
#[derive(Debug, Default)]
pub struct Databases {
    by_id: HashMap<i64, Database>,
}

impl Databases {
    pub fn new(list: Vec<Database>) -> Self {
        Self {
            by_id: list
                .into_iter()
                .filter_map(|db| Some((db.id?, db)))
                .collect(),
        }
    }

    pub fn get(&self, id: i64) -> Option<&Database> {
        self.by_id.get(&id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Database> {
        self.by_id.values()
    }
}

/// Database users (every one, or one database's), by id and by database.
#[derive(Debug, Default)]
pub struct DatabaseUsers {
    by_id: HashMap<i64, DatabaseUser>,
    /// Database id -> the id of the first of its users listed.
    first_of_database: HashMap<i64, i64>,
}

impl DatabaseUsers {
    pub fn new(list: Vec<DatabaseUser>) -> Self {
        let mut users = Self::default();
        for user in list {
            let Some(id) = user.id else { continue };
            if let Some(database) = user.database_id {
                users.first_of_database.entry(database).or_insert(id);
            }
            users.by_id.insert(id, user);
        }
        users
    }

    /// Every listed user (for `panel_database_user`).
    pub fn all(&self) -> impl Iterator<Item = &DatabaseUser> {
        self.by_id.values()
    }

    /// The user a database reports: its default user, else the first user with access
    /// to it only. A database without a default user has none (so a refresh of
    /// databases without users needs no user list at all).
    pub fn user_of(&self, database: &Database) -> Option<&DatabaseUser> {
        let default = database.default_user_id.filter(|u| *u > 0)?;
        self.by_id.get(&default).or_else(|| {
            let id = database.id?;
            self.first_of_database
                .get(&id)
                .and_then(|u| self.by_id.get(u))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(id: i64, name: &str, base: i64) -> DomainResponse {
        DomainResponse {
            id: Some(id),
            name: name.into(),
            ascii_name: Some(name.into()),
            base_domain_id: Some(base),
            www_root: Some(format!("/var/www/vhosts/{name}/httpdocs")),
            guid: None,
        }
    }

    #[test]
    fn kinds_and_parents_from_the_list() {
        let domains = Domains::new(vec![
            domain(1, "example.com", 0),
            domain(2, "blog.example.com", 1),
            domain(3, "other.org", 1),
            domain(4, "shop.other.org", 1),
            domain(5, "second.net", 5),
            domain(6, "a.b.example.com", 1),
        ]);
        let model = |id: i64| domains.model(9, domains.get(id).unwrap());
        assert_eq!((model(1).kind, model(1).parent), (DomainKind::Main, None));
        assert_eq!(model(1).id, "9/1");
        assert_eq!(model(1).owner, "9");
        assert_eq!(model(2).kind, DomainKind::Subdomain);
        assert_eq!(model(2).parent.as_deref(), Some("example.com"));
        assert_eq!(
            (model(3).kind, model(3).parent.as_deref()),
            (DomainKind::Addon, Some("example.com"))
        );
        assert_eq!(
            (model(4).kind, model(4).parent.as_deref()),
            (DomainKind::Subdomain, Some("other.org"))
        );
        assert_eq!(
            model(5).kind,
            DomainKind::Main,
            "a subscription reporting its own id as base"
        );
        assert_eq!(
            model(6).parent.as_deref(),
            Some("example.com"),
            "no b.example.com in the subscription: the closest existing parent"
        );
        assert_eq!(
            model(1).document_root.as_deref(),
            Some("/var/www/vhosts/example.com/httpdocs")
        );
        assert_eq!(
            domains.named("other.org").map(|d| d.id),
            Some(3),
            "by normal-form name"
        );
    }

    #[test]
    fn names_are_kept_in_normal_form() {
        let record = DomainRecord::from_wire(DomainResponse {
            id: Some(4),
            name: "Bücher.DE".into(),
            ascii_name: None,
            base_domain_id: None,
            www_root: Some(String::new()),
            guid: Some("g".into()),
        })
        .unwrap();
        assert_eq!(record.name, "xn--bcher-kva.de");
        assert_eq!(record.www_root, None);
        assert_eq!(record.base, None);
    }

    #[test]
    fn below_means_a_whole_label_below() {
        assert!(is_below("blog.example.com", "example.com"));
        assert!(!is_below("myexample.com", "example.com"));
        assert!(!is_below("example.com", "example.com"));
    }

    #[test]
    fn clients_by_login_prefer_the_exact_spelling_and_follow_changes() {
        let client = |id: i64, login: &str| Client {
            id: Some(id),
            name: login.into(),
            login: login.into(),
            email: format!("{login}@example.com"),
            status: 0,
            kind: Some("customer".into()),
        };
        let mut clients = Clients::new(vec![client(1, "Ann"), client(2, "ann"), client(3, "bo")]);
        assert_eq!(clients.with_login("ann").and_then(|c| c.id), Some(2));
        assert_eq!(clients.with_login("Ann").and_then(|c| c.id), Some(1));
        assert_eq!(clients.with_login("BO").and_then(|c| c.id), Some(3));
        clients.remove(2);
        assert_eq!(clients.with_login("ann").and_then(|c| c.id), Some(1));
        clients.upsert(client(3, "cy"));
        assert!(
            clients.with_login("bo").is_none(),
            "a renamed login is gone"
        );
        assert_eq!(clients.with_login("cy").and_then(|c| c.id), Some(3));
        assert_eq!(clients.iter().count(), 2);
    }

    #[test]
    fn database_user_is_the_default_one() {
        let users = DatabaseUsers::new(vec![
            DatabaseUser {
                id: Some(5),
                login: "a".into(),
                database_id: Some(2),
            },
            DatabaseUser {
                id: Some(6),
                login: "b".into(),
                database_id: Some(2),
            },
        ]);
        let db = |default: Option<i64>| Database {
            id: Some(2),
            name: "d".into(),
            kind: None,
            parent_domain: Some(1),
            default_user_id: default,
        };
        assert_eq!(users.user_of(&db(Some(6))).map(|u| u.id), Some(Some(6)));
        assert_eq!(
            users.user_of(&db(Some(99))).map(|u| u.id),
            Some(Some(5)),
            "a default user not listed: the database's first user"
        );
        assert!(users.user_of(&db(None)).is_none());
        assert!(users.user_of(&db(Some(0))).is_none());
    }
}
