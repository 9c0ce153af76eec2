//! `terraform-provider-panel adopt`: writes the Terraform configuration that brings
//! everything a panel holds under management in one `terraform apply` (imports only:
//! nothing created, nothing destroyed), after which the plan is empty.
//!
//! It reads the panel with list calls (one per type, or per owner where the panel only
//! lists per owner), and writes one file per customer: `import {}` blocks with each
//! object's import id, and resource blocks with every configurable attribute set to
//! the panel's value, references instead of literal ids (`owner =
//! panel_user.alice.id`), readable names from natural keys, and commented hints for
//! write-only passwords. What each type contributes comes from its description
//! ([`crate::resources::engine::adopt`]); this module only selects, names, links and
//! writes.

pub mod hcl;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use crate::panel::names::DomainName;
use crate::panel::PanelHandle;
use crate::provider::config::{ProviderConfig, Stage};
use crate::resources::engine::adopt::{Adopt, AdoptedObject};
use crate::tfvalue::Value;

/// The command's options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Options {
    /// Where to write the configuration.
    pub out: PathBuf,
    /// Only this customer (login, email or panel id) and what belongs to it.
    pub owner: Option<String>,
    /// Only objects whose natural key matches this pattern (`*` any text, `?` one
    /// character).
    pub pattern: Option<String>,
    /// Only these types (`panel_user` or `user`).
    pub types: Option<BTreeSet<String>>,
    /// Skip objects this state already manages (a `terraform.tfstate` or `terraform
    /// show -json` file); references to them use their addresses there.
    pub only_new: Option<PathBuf>,
    /// All blocks in one file instead of one file per customer.
    pub single_file: bool,
    /// `KEY=VALUE` lines read as environment variables (provider settings).
    pub env_file: Option<PathBuf>,
}

pub const USAGE: &str = "usage: terraform-provider-panel adopt [--out DIR] [--owner LOGIN|ID] \
[--match PATTERN] [--types user,domain,...] [--only-new STATE_FILE] [--single-file] \
[--env-file FILE]

Writes Terraform configuration importing everything the panel configured by the PANEL_*
environment variables holds (PANEL_TYPE, PANEL_ENDPOINT and the credentials), one file per
customer. Run `terraform init && terraform apply` in DIR (default: ./adopted) to bring the
objects under management; the next `terraform plan` is empty. DNS records, mail domains,
mailboxes and certificates are written only when --types names them (`--types
user,dns_record`): a zone holds the records the panel's template made, and Plesk and
PanelAlpha have mail on for every domain. Database users apart from databases likewise
(`--types database_user`): Plesk lists a database's own user among them too.";

impl Options {
    /// Parses the arguments after `adopt`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            out: PathBuf::from("adopted"),
            ..Options::default()
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
                _ => (arg.as_str(), None),
            };
            let mut value = |name: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| args.next().cloned())
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag {
                "--out" | "-o" => options.out = PathBuf::from(value("--out")?),
                "--owner" => options.owner = Some(value("--owner")?),
                "--match" => options.pattern = Some(value("--match")?),
                "--types" => {
                    let types = value("--types")?
                        .split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(|t| {
                            if t.starts_with("panel_") {
                                t.to_owned()
                            } else {
                                format!("panel_{t}")
                            }
                        })
                        .collect();
                    options.types = Some(types);
                }
                "--only-new" => options.only_new = Some(PathBuf::from(value("--only-new")?)),
                "--single-file" => options.single_file = true,
                "--env-file" => options.env_file = Some(PathBuf::from(value("--env-file")?)),
                "-h" | "--help" => return Err(USAGE.to_owned()),
                other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
            }
        }
        Ok(options)
    }
}

/// `KEY=VALUE` lines (blank lines and `#` comments skipped; values may be quoted).
fn read_env_file(path: &Path) -> Result<HashMap<String, String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let mut values = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("{}:{}: expected KEY=VALUE", path.display(), number + 1))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        values.insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(values)
}

/// Connects to the panel the provider settings describe.
fn connect(options: &Options) -> Result<PanelHandle, String> {
    let overrides = match &options.env_file {
        Some(path) => read_env_file(path)?,
        None => HashMap::new(),
    };
    let lookup = move |name: &str| {
        overrides
            .get(name)
            .cloned()
            .or_else(|| crate::provider::config::process_env(name))
    };
    let empty = Value::Object(BTreeMap::new());
    let (settings, mut problems) = ProviderConfig::read(&empty, &lookup);
    let (backend, more) = settings.resolve(Stage::Configure);
    problems.extend(more);
    let backend = match backend {
        Some(backend) if !problems.has_errors() => backend,
        _ => {
            let text: Vec<String> = problems
                .iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect();
            return Err(format!(
                "the provider settings are incomplete (set them as PANEL_* environment \
                 variables or in --env-file):\n  {}",
                text.join("\n  ")
            ));
        }
    };
    let endpoint = backend.endpoint.clone();
    let panel = crate::backends::connect(backend)
        .map_err(|err| format!("cannot set up the panel backend: {err}"))?;
    Ok(PanelHandle::new(panel).with_endpoint(endpoint))
}

/// A glob with `*` and `?`, matched against the whole text.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    while p < pattern.len() && pattern[p] == '*' {
        p += 1;
    }
    p == pattern.len()
}

/// Addresses of the objects a state already manages: `(type, id) -> address`.
fn managed_addresses(path: &Path) -> Result<HashMap<(String, String), String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|err| format!("{} is not a state file: {err}", path.display()))?;
    let mut addresses = HashMap::new();
    // `terraform.tfstate`: resources[].instances[].attributes.
    for resource in json["resources"].as_array().into_iter().flatten() {
        if resource["mode"] != "managed" {
            continue;
        }
        let (Some(kind), Some(name)) = (resource["type"].as_str(), resource["name"].as_str())
        else {
            continue;
        };
        let module = resource["module"].as_str().map(|m| format!("{m}."));
        for instance in resource["instances"].as_array().into_iter().flatten() {
            if let Some(id) = instance["attributes"]["id"].as_str() {
                let index = match &instance["index_key"] {
                    serde_json::Value::String(key) => format!("[{}]", hcl::string(key)),
                    serde_json::Value::Number(n) => format!("[{n}]"),
                    _ => String::new(),
                };
                addresses.insert(
                    (kind.to_owned(), id.to_owned()),
                    format!("{}{kind}.{name}{index}", module.clone().unwrap_or_default()),
                );
            }
        }
    }
    // `terraform show -json`: values.root_module.resources[] (and child modules).
    fn walk(module: &serde_json::Value, out: &mut HashMap<(String, String), String>) {
        for resource in module["resources"].as_array().into_iter().flatten() {
            if let (Some("managed"), Some(kind), Some(address), Some(id)) = (
                resource["mode"].as_str(),
                resource["type"].as_str(),
                resource["address"].as_str(),
                resource["values"]["id"].as_str(),
            ) {
                out.insert((kind.to_owned(), id.to_owned()), address.to_owned());
            }
        }
        for child in module["child_modules"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    walk(&json["values"]["root_module"], &mut addresses);
    Ok(addresses)
}

/// One object with its resource address in the generated configuration.
struct Planned {
    object: AdoptedObject,
    address: String,
}

/// How an attribute value is compared when resolving references: domain names in
/// their normal form, everything else exactly.
fn reference_key(value: &Value) -> Option<String> {
    let text = value.as_str()?;
    Some(match DomainName::parse(text) {
        Ok(name) if text.contains('.') && !text.contains('@') => name.to_string(),
        _ => text.to_owned(),
    })
}

/// What the command did, for its summary and tests.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Objects written, per type.
    pub written: BTreeMap<String, usize>,
    /// Objects skipped because the state already manages them.
    pub already_managed: usize,
    /// Objects left out unless asked for by `--owner` (the panel's administrator and
    /// what it owns).
    pub left_out: usize,
    pub files: Vec<PathBuf>,
}

/// Runs the command with `adopters` (the registry's, in dependency order).
pub async fn run(options: &Options, adopters: &[Arc<dyn Adopt>]) -> Result<Report, String> {
    let started = Instant::now();
    let panel = connect(options)?;
    eprintln!(
        "panel adopt: reading the `{}` panel at {}",
        panel.name(),
        panel.endpoint
    );
    let selected: Vec<&Arc<dyn Adopt>> = adopters
        .iter()
        .filter(|a| {
            options
                .types
                .as_ref()
                .map_or(!a.only_when_named(), |types| types.contains(a.type_name()))
        })
        .collect();
    if let Some(types) = &options.types {
        let known: BTreeSet<&str> = adopters.iter().map(|a| a.type_name()).collect();
        if let Some(unknown) = types.iter().find(|t| !known.contains(t.as_str())) {
            return Err(format!(
                "--types: no type {unknown:?}; the types are {}",
                known.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    // The owner filter names a customer by login, email or id; find its id.
    let owner = match &options.owner {
        None => None,
        Some(wanted) => {
            let users = adopters
                .iter()
                .find(|a| a.type_name() == "panel_user")
                .ok_or("--owner needs the panel_user type")?;
            let all = users
                .adopt(&panel, None)
                .await
                .map_err(|err| format!("listing users: {err}"))?
                .unwrap_or_default();
            let found = all.iter().find(|u| {
                u.id == *wanted
                    || u.key == *wanted
                    || u.attributes
                        .iter()
                        .any(|(_, v)| v.as_str().is_some_and(|v| v.eq_ignore_ascii_case(wanted)))
            });
            Some(
                found
                    .ok_or_else(|| format!("--owner: the panel has no user {wanted:?}"))?
                    .id
                    .clone(),
            )
        }
    };
    let managed = match &options.only_new {
        Some(path) => managed_addresses(path)?,
        None => HashMap::new(),
    };

    let mut planned: Vec<Planned> = Vec::new();
    let mut taken: BTreeSet<String> = managed.values().cloned().collect();
    let mut report = Report::default();
    // Customers left out unless `--owner` names them (the panel's administrator), with
    // everything that belongs to them.
    let mut left_out: BTreeMap<String, (String, &'static str)> = BTreeMap::new();
    for adopter in selected {
        let type_started = Instant::now();
        let objects = adopter
            .adopt(&panel, owner.as_deref())
            .await
            .map_err(|err| format!("listing {}: {err}", adopter.type_name()))?;
        let Some(objects) = objects else {
            eprintln!(
                "panel adopt: {}: the `{}` panel has none",
                adopter.type_name(),
                panel.name()
            );
            continue;
        };
        let total = objects.len();
        let mut kept = 0;
        for object in objects {
            if owner.is_none() {
                if let Some(reason) = object.left_out {
                    left_out.insert(object.id.clone(), (object.key.clone(), reason));
                    report.left_out += 1;
                    continue;
                }
                if object
                    .customer
                    .as_ref()
                    .is_some_and(|customer| left_out.contains_key(customer))
                {
                    report.left_out += 1;
                    continue;
                }
            }
            if let Some(pattern) = &options.pattern {
                if !glob_matches(pattern, &object.key) {
                    continue;
                }
            }
            if managed.contains_key(&(object.type_name.to_owned(), object.id.clone())) {
                report.already_managed += 1;
                continue;
            }
            let base = hcl::name(&object.key);
            let mut label = base.clone();
            let mut n = 2;
            while taken.contains(&format!("{}.{label}", object.type_name)) {
                label = format!("{base}_{n}");
                n += 1;
            }
            let address = format!("{}.{label}", object.type_name);
            taken.insert(address.clone());
            kept += 1;
            planned.push(Planned { object, address });
        }
        *report
            .written
            .entry(adopter.type_name().to_owned())
            .or_default() += kept;
        eprintln!(
            "panel adopt: {}: {total} on the panel, {kept} to write ({:.1} s)",
            adopter.type_name(),
            type_started.elapsed().as_secs_f64()
        );
    }

    for (key, reason) in left_out.values() {
        eprintln!(
            "panel adopt: left out {key:?} ({reason}) and what it owns; pass `--owner {key}` \
             to adopt it on purpose"
        );
    }

    // Reference targets: (type, attribute, value) -> address, from this run and from
    // the state the configuration already manages.
    let mut targets: HashMap<(String, String, String), String> = HashMap::new();
    for item in &planned {
        let object = &item.object;
        targets.insert(
            (
                object.type_name.to_owned(),
                "id".to_owned(),
                object.id.clone(),
            ),
            item.address.clone(),
        );
        for (name, value) in &object.attributes {
            if let Some(key) = reference_key(value) {
                targets
                    .entry((object.type_name.to_owned(), name.clone(), key))
                    .or_insert_with(|| item.address.clone());
            }
        }
    }
    for ((kind, id), address) in &managed {
        targets.insert((kind.clone(), "id".to_owned(), id.clone()), address.clone());
    }

    let customer_names: HashMap<String, String> = planned
        .iter()
        .filter(|p| p.object.type_name == "panel_user")
        .map(|p| (p.object.id.clone(), hcl::name(&p.object.key)))
        .collect();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for item in &planned {
        let file = if options.single_file {
            "adopted.tf".to_owned()
        } else {
            match item
                .object
                .customer
                .as_ref()
                .and_then(|c| customer_names.get(c))
            {
                Some(customer) => format!("customer_{customer}.tf"),
                None => "adopted_shared.tf".to_owned(),
            }
        };
        let text = files.entry(file).or_default();
        write_object(text, item, &targets);
    }

    std::fs::create_dir_all(&options.out)
        .map_err(|err| format!("cannot create {}: {err}", options.out.display()))?;
    let providers = options.out.join("providers.tf");
    if !providers.exists() && options.only_new.is_none() {
        files.insert("providers.tf".to_owned(), providers_block());
    }
    for (name, text) in files {
        let path = options.out.join(&name);
        if path.exists() && options.only_new.is_none() {
            return Err(format!(
                "{} exists; write into an empty directory, or pass --only-new with the \
                 state that manages it",
                path.display()
            ));
        }
        let path = if path.exists() {
            unique_path(&options.out, &name)
        } else {
            path
        };
        std::fs::write(&path, text)
            .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        report.files.push(path);
    }
    let written: usize = report.written.values().sum();
    eprintln!(
        "panel adopt: wrote {written} objects in {} files to {} in {:.1} s{}; next: \
         `terraform -chdir={} init && terraform -chdir={} apply`",
        report.files.len(),
        options.out.display(),
        started.elapsed().as_secs_f64(),
        if report.already_managed > 0 {
            format!(" ({} already managed, skipped)", report.already_managed)
        } else {
            String::new()
        },
        options.out.display(),
        options.out.display(),
    );
    Ok(report)
}

/// `name`, or `name` with a number before its extension when taken.
fn unique_path(dir: &Path, name: &str) -> PathBuf {
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, "tf"));
    (2..)
        .map(|n| dir.join(format!("{stem}_{n}.{extension}")))
        .find(|path| !path.exists())
        .unwrap_or_else(|| dir.join(name))
}

fn providers_block() -> String {
    "terraform {\n  required_providers {\n    panel = {\n      source = \"panelops/panel\"\n    \
     }\n  }\n}\n\n# Settings come from the PANEL_* environment variables, as when this \
     configuration\n# was generated (PANEL_TYPE, PANEL_ENDPOINT and the credentials).\n\
     provider \"panel\" {}\n"
        .to_owned()
}

/// Appends the `import` and `resource` blocks of one object.
fn write_object(
    out: &mut String,
    item: &Planned,
    targets: &HashMap<(String, String, String), String>,
) {
    let object = &item.object;
    let _ = writeln!(
        out,
        "import {{\n  to = {}\n  id = {}\n}}\n",
        item.address,
        hcl::string(&object.import_id)
    );
    let label = item
        .address
        .split_once('.')
        .map_or(item.address.as_str(), |(_, label)| label);
    let _ = writeln!(out, "resource \"{}\" \"{label}\" {{", object.type_name);
    let width = object
        .attributes
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, value) in &object.attributes {
        let reference = object
            .references
            .iter()
            .find(|(attribute, _, _)| attribute == name)
            .and_then(|(_, kind, target)| {
                let key = reference_key(value)?;
                let address = targets.get(&((*kind).to_owned(), (*target).to_owned(), key))?;
                // A reference to itself (a main domain as its own parent) stays literal.
                (address != &item.address).then(|| format!("{address}.{target}"))
            });
        let rendered = reference.unwrap_or_else(|| hcl::literal(value));
        let _ = writeln!(out, "  {name:<width$} = {rendered}");
    }
    for name in &object.write_only {
        let _ = writeln!(
            out,
            "  # {name} = ... # write-only: the panel never shows it; to take it over, set it \
             and {name}_version = 1"
        );
    }
    let _ = writeln!(out, "}}\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_every_flag() {
        let args: Vec<String> = [
            "--out=gen",
            "--owner",
            "alice",
            "--match",
            "shop*",
            "--types",
            "user,panel_domain",
            "--single-file",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let options = Options::parse(&args).expect("parses");
        assert_eq!(options.out, PathBuf::from("gen"));
        assert_eq!(options.owner.as_deref(), Some("alice"));
        assert_eq!(options.pattern.as_deref(), Some("shop*"));
        assert!(options.single_file);
        let types: Vec<&str> = options
            .types
            .as_ref()
            .map(|t| t.iter().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(types, vec!["panel_domain", "panel_user"]);
        assert!(Options::parse(&["--nope".to_owned()]).is_err());
        assert!(Options::parse(&["--owner".to_owned()]).is_err());
    }

    #[test]
    fn globs() {
        assert!(glob_matches("shop*", "shop.example.com"));
        assert!(glob_matches("*example*", "shop.example.com"));
        assert!(glob_matches("a?c", "abc"));
        assert!(!glob_matches("shop*", "myshop.com"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn references_become_addresses_and_passwords_hints() {
        let user = AdoptedObject {
            type_name: "panel_user",
            id: "7".into(),
            import_id: "alice".into(),
            key: "alice".into(),
            customer: Some("7".into()),
            attributes: vec![("login".into(), Value::string("alice"))],
            write_only: vec!["password_wo".into()],
            references: &[],
            left_out: None,
        };
        let domain = AdoptedObject {
            type_name: "panel_domain",
            id: "3".into(),
            import_id: "Example.com".into(),
            key: "example.com".into(),
            customer: Some("7".into()),
            attributes: vec![
                ("name".into(), Value::string("example.com")),
                ("owner".into(), Value::string("7")),
            ],
            write_only: vec![],
            references: &[("owner", "panel_user", "id")],
            left_out: None,
        };
        let mut targets = HashMap::new();
        targets.insert(
            ("panel_user".to_owned(), "id".to_owned(), "7".to_owned()),
            "panel_user.alice".to_owned(),
        );
        let mut text = String::new();
        write_object(
            &mut text,
            &Planned {
                object: user,
                address: "panel_user.alice".into(),
            },
            &targets,
        );
        write_object(
            &mut text,
            &Planned {
                object: domain,
                address: "panel_domain.example_com".into(),
            },
            &targets,
        );
        assert!(text.contains("id = \"alice\""), "{text}");
        assert!(text.contains("owner = panel_user.alice.id"), "{text}");
        assert!(text.contains("# password_wo = ..."), "{text}");
        assert!(
            text.contains("resource \"panel_domain\" \"example_com\""),
            "{text}"
        );
    }
}
