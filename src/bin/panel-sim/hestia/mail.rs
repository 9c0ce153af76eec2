//! Mail domains, accounts and forwards: `v-add/delete-mail-domain`,
//! `v-list-mail-domain(s)`, `v-list-mail-domain-dkim-dns`, `v-add/delete-mail-account`,
//! `v-change-mail-account-password/-quota`, `v-suspend/unsuspend-mail-account`,
//! `v-list-mail-account(s)`, `v-add/delete-mail-account-forward` (the 1.10.3
//! scripts of those names, `is_mail_new`, `is_localpart_format_valid`), checked
//! against records 167-170, 200-248 and 604-653.
//!
//! The simulated server runs exim4 + dovecot with ClamAV and SpamAssassin and
//! Roundcube as webmail (the configuration of records 60-901).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::commands::{
    check_user_format, existing_user, existing_user_mut, is_domain_new, limit_reached, unsuspended,
    Args, DomainKind, Failure, E_ARGS, E_EXISTS, E_LIMIT, E_NOTEXIST, E_SUSPENDED, E_UNSUSPENDED,
};
use super::dns;
use super::state::{now_time_date, password_digest, MailAccount, MailDomain, State, User};
use super::validate;

/// `WEBMAIL_ALIAS` and `WEBMAIL_SYSTEM` of the recorded server.
const WEBMAIL_ALIAS: &str = "webmail";
const WEBMAIL_SYSTEM: &str = "roundcube";
/// `RATE_LIMIT` a new mail domain gets (206).
const RATE_LIMIT: &str = "200";

fn domain_index(user: &User, domain: &str) -> Result<usize, Failure> {
    user.mail_domains
        .iter()
        .position(|d| d.domain == domain)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("mail domain {domain} doesn't exist")))
}

fn domain_unsuspended(domain: &MailDomain) -> Result<(), Failure> {
    if domain.suspended {
        Err(Failure::new(
            E_SUSPENDED,
            format!("mail {} is suspended", domain.domain),
        ))
    } else {
        Ok(())
    }
}

/// `is_object_valid "mail/$domain" 'ACCOUNT'`: "DOMAIN account NAME doesn't exist".
fn account_index(domain: &MailDomain, account: &str) -> Result<usize, Failure> {
    domain
        .accounts
        .iter()
        .position(|a| a.account == account)
        .ok_or_else(|| {
            Failure::new(
                E_NOTEXIST,
                format!("{} account {account} doesn't exist", domain.domain),
            )
        })
}

/// `is_object_unsuspended "mail/$domain" 'ACCOUNT'`: "DOMAIN NAME is suspended" (227).
fn account_unsuspended(domain: &MailDomain, account: &MailAccount) -> Result<(), Failure> {
    if account.suspended {
        Err(Failure::new(
            E_SUSPENDED,
            format!("{} {} is suspended", domain.domain, account.account),
        ))
    } else {
        Ok(())
    }
}

/// A DKIM public key shaped like `openssl rsa -pubout` of a 2048-bit key
/// (base64 DER SubjectPublicKeyInfo, 392 characters). Assumption: the modulus
/// is derived from the domain and a counter instead of a real key pair, because
/// generating RSA keys for thousands of seeded domains would take minutes and
/// nothing checks signatures in a simulator.
fn dkim_public_key(domain: &str, seq: u64) -> String {
    use base64::Engine as _;
    let mut der = Vec::with_capacity(294);
    // SEQUENCE { AlgorithmIdentifier rsaEncryption, BIT STRING { SEQUENCE { INTEGER n, INTEGER e } } }
    der.extend_from_slice(&[
        0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
        0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00, 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82,
        0x01, 0x01, 0x00,
    ]);
    let mut block = 0u32;
    while der.len() < 33 + 256 {
        let digest = Sha256::digest(format!("dkim:{domain}:{seq}:{block}").as_bytes());
        der.extend_from_slice(&digest);
        block += 1;
    }
    der.truncate(33 + 256);
    der[33] |= 0x80; // a full 2048-bit modulus
    der.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// `v-add-mail-domain USER DOMAIN [ANTISPAM] [ANTIVIRUS] [DKIM] [DKIM_SIZE] [RESTART] [REJECT_SPAM]`.
/// With DKIM on and a DNS zone of the same name, the key goes into the zone as
/// `mail._domainkey` TXT with the next id (167, 168).
pub fn add_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-add-mail-domain",
        2,
        "USER DOMAIN [ANTISPAM] [ANTIVIRUS] [DKIM] [DKIM_SIZE] [RESTART] [REJECT_SPAM]",
    )?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let antispam = args.or(3, "yes");
    let antivirus = args.or(4, "yes");
    let dkim = args.or(5, "yes");
    let dkim_size = args.or(6, "2048");
    let reject = args.or(8, "no");
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    for (value, field) in [
        (antispam, "antispam"),
        (antivirus, "antivirus"),
        (dkim, "dkim"),
    ] {
        if !value.is_empty() {
            validate::boolean(value, field)?;
        }
    }
    if !dkim_size.is_empty() {
        validate::int(dkim_size, "dkim_size")?;
    }
    validate::restart(args.get(7))?;
    if !reject.is_empty() {
        validate::boolean(reject, "reject")?;
    }
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let (utf, idn) = validate::domain_forms(&domain);
    is_domain_new(state, DomainKind::Mail, login, &utf)?;
    is_domain_new(state, DomainKind::Mail, login, &idn)?;
    if validate::looks_like_ipv4(&domain) {
        return Err(Failure {
            code: E_ARGS,
            message: String::new(),
            output: "Error: Invalid domain format. IP address detected as input.\n".into(),
        });
    }
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.mail_domains, user.mail_domains.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "MAIL_DOMAINS limit is reached :: upgrade user package",
        ));
    }
    let seq = state.next_seq();
    let dkim_public = if dkim == "yes" {
        dkim_public_key(&domain, seq)
    } else {
        String::new()
    };
    let (time, date) = now_time_date();
    state.mail_owner.insert(domain.clone(), login.to_string());
    let user = existing_user_mut(state, login)?;
    if dkim == "yes" {
        if let Some(zone) = user.dns_domains.iter_mut().find(|z| z.domain == domain) {
            dns::append_record(
                zone,
                "mail._domainkey",
                "TXT",
                format!("\"v=DKIM1; k=rsa; p={dkim_public}\""),
            );
        }
    }
    user.mail_domains.push(MailDomain {
        domain,
        antivirus: antivirus.to_string(),
        antispam: antispam.to_string(),
        reject: reject.to_string(),
        dkim: dkim.to_string(),
        dkim_public,
        // `v-add-mail-domain-webmail` with the server's WEBMAIL_SYSTEM (206).
        webmail: WEBMAIL_SYSTEM.to_string(),
        suspended: false,
        time,
        date,
        accounts: Vec::new(),
    });
    Ok(())
}

/// What `v-delete-mail-domain-webmail` does to a DNS zone of the same name: the
/// `webmail` records go (170). Also run when a user's suspension suspends the
/// mail domain (`v-suspend-mail-domain`).
pub fn drop_webmail_records(user: &mut User, domain: &str) {
    if let Some(zone) = user.dns_domains.iter_mut().find(|z| z.domain == domain) {
        let ids: Vec<String> = zone
            .records
            .iter()
            .filter(|r| r.record == WEBMAIL_ALIAS)
            .map(|r| r.id.to_string())
            .collect();
        for id in ids {
            // A failure (the last A record) leaves it, as the script ignores it.
            let _ = dns::remove_record(zone, &id);
        }
    }
}

/// `v-delete-mail-domain USER DOMAIN`: the DKIM record and the webmail
/// records of a zone of the same name go with it (169, 170); allowed under a
/// suspended owner (653).
pub fn delete_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-mail-domain", 2, "USER DOMAIN")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    let user = existing_user_mut(state, login)?;
    let index = domain_index(user, &domain)?;
    let removed = user.mail_domains.remove(index);
    if removed.dkim == "yes" {
        if let Some(zone) = user.dns_domains.iter_mut().find(|z| z.domain == domain) {
            let ids: Vec<String> = zone
                .records
                .iter()
                .filter(|r| r.record == "mail._domainkey" || r.record == "_domainkey")
                .map(|r| r.id.to_string())
                .collect();
            for id in ids {
                let _ = dns::remove_record(zone, &id);
            }
        }
    }
    drop_webmail_records(user, &domain);
    state.mail_owner.remove(&domain);
    Ok(())
}

/// The account name as the scripts use it: lowercased when it has capitals (214).
fn account_name(raw: &str) -> String {
    if raw.chars().any(char::is_uppercase) {
        raw.to_lowercase()
    } else {
        raw.to_string()
    }
}

/// The common start of the account scripts: user, domain and account formats.
fn account_args(args: &Args) -> Result<(String, String, String), Failure> {
    let login = args.get(1).to_string();
    let domain = validate::normalise_domain(args.get(2));
    let account = args.get(3).to_string();
    check_user_format(&login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !account.is_empty() {
        validate::localpart(&account, "account")?;
    }
    Ok((login, domain, account))
}

/// `QUOTA`: megabytes or `unlimited`; `0` means unlimited (211, 216, 223).
fn quota_value(quota: &str) -> Result<String, Failure> {
    if quota == "unlimited" {
        return Ok(quota.to_string());
    }
    validate::int(quota, "quota")?;
    Ok(if quota.bytes().all(|b| b == b'0') {
        "unlimited".to_string()
    } else {
        quota.to_string()
    })
}

/// `v-add-mail-account USER DOMAIN ACCOUNT PASSWORD [QUOTA]`.
pub fn add_account(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-add-mail-account",
        4,
        "USER DOMAIN ACCOUNT PASSWORD [QUOTA]",
    )?;
    let (login, domain, _) = account_args(args)?;
    let account = account_name(args.get(3));
    if !account.is_empty() {
        validate::localpart(&account, "account")?;
    }
    let quota = quota_value(args.or(5, "unlimited"))?;
    let user = existing_user(state, &login)?;
    unsuspended(&login, user)?;
    let mail = &user.mail_domains[domain_index(user, &domain)?];
    domain_unsuspended(mail)?;
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.mail_accounts, mail.accounts.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "MAIL_ACCOUNTS limit is reached :: upgrade user package",
        ));
    }
    if mail.accounts.iter().any(|a| a.account == account) {
        return Err(Failure::new(
            E_EXISTS,
            format!("mail account {account} already exists"),
        ));
    }
    let (time, date) = now_time_date();
    let user = existing_user_mut(state, &login)?;
    let index = domain_index(user, &domain)?;
    user.mail_domains[index].accounts.push(MailAccount {
        account,
        password_sha256: password_digest(args.get(4)),
        quota,
        fwd: Vec::new(),
        suspended: false,
        time,
        date,
    });
    Ok(())
}

/// Which account command, for the shared checks of the change scripts.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum AccountChange {
    Password,
    Quota,
    Suspend,
    Unsuspend,
    AddForward,
    DeleteForward,
    Delete,
}

/// The account scripts that change one account. The checks follow each
/// script: owner and domain suspension for the changes (624-626), account
/// suspension for password/quota/forward changes (228), none of them for the
/// deletes (627).
pub fn change_account(
    state: &mut State,
    args: &Args,
    change: AccountChange,
) -> Result<(), Failure> {
    let (cmd, needed, usage) = match change {
        AccountChange::Password => (
            "v-change-mail-account-password",
            4,
            "USER DOMAIN ACCOUNT PASSWORD",
        ),
        AccountChange::Quota => (
            "v-change-mail-account-quota",
            4,
            "USER DOMAIN ACCOUNT QUOTA",
        ),
        AccountChange::Suspend => ("v-suspend-mail-account", 3, "USER DOMAIN ACCOUNT"),
        AccountChange::Unsuspend => ("v-unsuspend-mail-account", 3, "USER DOMAIN ACCOUNT"),
        AccountChange::AddForward => (
            "v-add-mail-account-forward",
            4,
            "USER DOMAIN ACCOUNT FORWARD",
        ),
        AccountChange::DeleteForward => (
            "v-delete-mail-account-forward",
            4,
            "USER DOMAIN ACCOUNT FORWARD",
        ),
        AccountChange::Delete => ("v-delete-mail-account", 3, "USER DOMAIN ACCOUNT"),
    };
    args.check(cmd, needed, usage)?;
    let (login, domain, account) = account_args(args)?;
    let fourth = args.get(4);
    let quota = if change == AccountChange::Quota && fourth != "unlimited" {
        if !fourth.is_empty() {
            validate::int(fourth, "quota")?;
        }
        quota_value(fourth).unwrap_or_default()
    } else {
        fourth.to_string()
    };
    if change == AccountChange::AddForward && fourth != ":blackhole:" && !fourth.is_empty() {
        validate::email(fourth)?;
    }
    let guarded = !matches!(change, AccountChange::Delete | AccountChange::DeleteForward);
    let user = existing_user(state, &login)?;
    if guarded {
        unsuspended(&login, user)?;
    }
    let mail = &user.mail_domains[domain_index(user, &domain)?];
    if guarded {
        domain_unsuspended(mail)?;
    }
    let entry = &mail.accounts[account_index(mail, &account)?];
    match change {
        AccountChange::Password | AccountChange::Quota | AccountChange::Suspend => {
            account_unsuspended(mail, entry)?
        }
        AccountChange::AddForward => {
            account_unsuspended(mail, entry)?;
            if entry.fwd.iter().any(|f| word_match(f, fourth)) {
                return Err(Failure::new(E_EXISTS, format!("forward {fourth} exists")));
            }
        }
        AccountChange::DeleteForward => {
            if !entry.fwd.iter().any(|f| word_match(f, fourth)) {
                return Err(Failure::new(
                    E_NOTEXIST,
                    format!("forward {fourth} doesn't exist"),
                ));
            }
        }
        AccountChange::Unsuspend => {
            if !entry.suspended {
                return Err(Failure::new(
                    E_UNSUSPENDED,
                    format!("{} {} is not suspended", mail.domain, entry.account),
                ));
            }
        }
        AccountChange::Delete => {}
    }
    let user = existing_user_mut(state, &login)?;
    let d = domain_index(user, &domain)?;
    let mail = &mut user.mail_domains[d];
    let a = account_index(mail, &account)?;
    let entry = &mut mail.accounts[a];
    match change {
        AccountChange::Password => entry.password_sha256 = password_digest(fourth),
        AccountChange::Quota => entry.quota = quota,
        AccountChange::Suspend => entry.suspended = true,
        AccountChange::Unsuspend => entry.suspended = false,
        AccountChange::AddForward => entry.fwd.push(fourth.to_string()),
        // Only an exact entry goes; a word match that is not one leaves FWD as it is.
        AccountChange::DeleteForward => entry.fwd.retain(|f| f != fourth),
        AccountChange::Delete => {
            mail.accounts.remove(a);
        }
    }
    Ok(())
}

/// `echo $fwd | grep -w ADDRESS`: the address occurs in the comma list with no
/// word character (letter, digit, `_`) right before or after it, so
/// `ops@example.net` matches `x.ops@example.net` (236). Assumption: the
/// address's dots are taken literally (grep would let them match any character).
fn word_match(existing: &str, address: &str) -> bool {
    if address.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let mut start = 0;
    while let Some(found) = existing[start..].find(address) {
        let at = start + found;
        let end = at + address.len();
        if !word(existing[..at].chars().next_back()) && !word(existing[end..].chars().next()) {
            return true;
        }
        start = at + existing[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

fn push_object(out: &mut String, key: &str, fields: &[(&str, String)], last: bool) {
    let _ = writeln!(out, "    \"{key}\": {{");
    for (i, (name, value)) in fields.iter().enumerate() {
        let comma = if i + 1 < fields.len() { "," } else { "" };
        let _ = writeln!(out, "        \"{name}\": \"{value}\"{comma}");
    }
    out.push_str(if last { "    }\n" } else { "    },\n" });
}

/// `v-list-mail-domains USER [FORMAT]` (206, 614).
pub fn list_domains(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-mail-domains", 1, "USER [FORMAT]")?;
    let login = args.get(1);
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    Ok(match args.or(2, "shell") {
        "json" => {
            let mut out = String::from("{\n");
            for (i, d) in user.mail_domains.iter().enumerate() {
                let fields = [
                    ("ANTIVIRUS", d.antivirus.clone()),
                    ("ANTISPAM", d.antispam.clone()),
                    ("REJECT", d.reject.clone()),
                    ("RATE_LIMIT", RATE_LIMIT.to_string()),
                    ("DKIM", d.dkim.clone()),
                    ("CATCHALL", String::new()),
                    ("ACCOUNTS", d.accounts.len().to_string()),
                    ("U_DISK", "0".to_string()),
                    ("SSL", "no".to_string()),
                    ("SUSPENDED", yes_no(d.suspended).to_string()),
                    ("TIME", d.time.clone()),
                    ("DATE", d.date.clone()),
                    ("WEBMAIL_ALIAS", WEBMAIL_ALIAS.to_string()),
                    ("WEBMAIL", d.webmail.clone()),
                ];
                push_object(
                    &mut out,
                    &d.domain,
                    &fields,
                    i + 1 == user.mail_domains.len(),
                );
            }
            out.push_str("}\n");
            out
        }
        "plain" => user
            .mail_domains
            .iter()
            .map(|d| {
                format!(
                    "{}\t{}\t{}\t{}\tno$CATCHALL\t{}\t0\t{}\t{}\t{}\t{WEBMAIL_ALIAS}\t{}\n",
                    d.domain,
                    d.antivirus,
                    d.antispam,
                    d.dkim,
                    d.accounts.len(),
                    yes_no(d.suspended),
                    d.time,
                    d.date,
                    d.webmail
                )
            })
            .collect(),
        "shell" => {
            let mut out = String::from("DOMAIN   ANTIVIRUS   ANTISPAM   DKIM  SSL   ACC   DISK   SPND   DATE\n------   ---------   --------   ----  ---   ---   ----   ---   ----\n");
            for d in &user.mail_domains {
                let _ = writeln!(
                    out,
                    "{} {} {} {} no {} 0 {} {}",
                    d.domain,
                    d.antivirus,
                    d.antispam,
                    d.dkim,
                    d.accounts.len(),
                    yes_no(d.suspended),
                    d.date
                );
            }
            out
        }
        _ => String::new(),
    })
}

/// `v-list-mail-domain USER DOMAIN [FORMAT]`: more fields, and its hand-written
/// JSON has no space after the colon of the last five keys (207).
pub fn list_domain(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-mail-domain", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    let d = &user.mail_domains[domain_index(user, domain)?];
    Ok(match args.or(3, "shell") {
        "json" => format!(
            "{{\n    \"{}\": {{\n        \"ANTIVIRUS\": \"{}\",\n        \"ANTISPAM\": \"{}\",\n        \"DKIM\": \"{}\",\n        \"CATCHALL\": \"\",\n        \"ACCOUNTS\": \"{}\",\n        \"RATE_LIMIT\": \"{RATE_LIMIT}\",\n        \"REJECT\": \"{}\",\n        \"U_DISK\": \"0\",\n        \"SSL\": \"no\",\n        \"LETSENCRYPT\": \"no\",\n        \"SUSPENDED\": \"{}\",\n        \"TIME\": \"{}\",\n        \"DATE\": \"{}\",\n        \"WEBMAIL_ALIAS\": \"{WEBMAIL_ALIAS}.{domain}\",\n        \"WEBMAIL\":\"{}\",\n        \"U_SMTP_RELAY\":\"\",\n        \"U_SMTP_RELAY_HOST\":\"\",\n        \"U_SMTP_RELAY_PORT\":\"\",\n        \"U_SMTP_RELAY_USERNAME\":\"\"\n        }}\n}}\n",
            d.domain,
            d.antivirus,
            d.antispam,
            d.dkim,
            d.accounts.len(),
            d.reject,
            yes_no(d.suspended),
            d.time,
            d.date,
            d.webmail
        ),
        "plain" => format!(
            "{}\t{}\t{}\t{}\t\t{}\t0\tno\tno\t{}\t{}\t{}\t{WEBMAIL_ALIAS}.{domain}\t{}\t\n\t\t\t\n",
            d.domain,
            d.antivirus,
            d.antispam,
            d.dkim,
            d.accounts.len(),
            yes_no(d.suspended),
            d.time,
            d.date,
            d.webmail
        ),
        "shell" => format!(
            "DOMAIN:             {}\nANTIVIRUS:          {}\nANTISPAM:           {}\nDKIM:               {}\nCATCHALL:           \nACCOUNTS:           {}\nDISK:               0\nSSL:                no\nRATE_LIMIT:         {RATE_LIMIT}\nREJECT:             {}\nLETSENCRYPT:        no\nSUSPENDED:          {}\nTIME:               {}\nDATE:               {}\nWEBMAIL_ALIAS:      {WEBMAIL_ALIAS}.{domain}\nWEBMAIL:            {}\n",
            d.domain,
            d.antivirus,
            d.antispam,
            d.dkim,
            d.accounts.len(),
            d.reject,
            yes_no(d.suspended),
            d.time,
            d.date,
            d.webmail
        ),
        _ => String::new(),
    })
}

/// `v-list-mail-domain-dkim-dns USER DOMAIN [FORMAT]`: a blank line and a tab
/// before the key, the value in single quotes (208).
pub fn list_dkim_dns(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-mail-domain-dkim-dns", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    let d = &user.mail_domains[domain_index(user, domain)?];
    let public = if d.dkim_public.is_empty() {
        "DKIM-SUPPORT-IS-NOT-ACTIVATED"
    } else {
        d.dkim_public.as_str()
    };
    Ok(match args.or(3, "shell") {
        "json" => format!(
            "{{\n\n\t\"mail._domainkey\": {{\n            \"TTL\": \"3600\",\n            \"TXT\": \"'v=DKIM1; k=rsa; p={public}'\"\n\t}}\n}}\n"
        ),
        "plain" => format!("mail._domainkey\t3600\tIN\tTXT\t\"v=DKIM1; k=rsa; p={public}\"\n"),
        "shell" => format!(
            "RECORD            TTL         TYPE      VALUE\n------            ---         ----      -----\nmail._domainkey   3600   IN   TXT      \"v=DKIM1; k=rsa; p={public}\"\n"
        ),
        _ => String::new(),
    })
}

fn account_fields(a: &MailAccount, single: Option<&str>) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("ALIAS", String::new()),
        ("FWD", a.fwd.join(",")),
        ("FWD_ONLY", String::new()),
        ("AUTOREPLY", "no".to_string()),
        ("QUOTA", a.quota.clone()),
    ];
    if single.is_some() {
        fields.push(("RATE_LIMIT", String::new()));
    }
    fields.extend([
        ("U_DISK", "0".to_string()),
        ("SUSPENDED", yes_no(a.suspended).to_string()),
        ("TIME", a.time.clone()),
        ("DATE", a.date.clone()),
    ]);
    if let Some(domain) = single {
        fields.push(("WEBMAIL_ALIAS", format!("{WEBMAIL_ALIAS}.{domain}")));
    }
    fields
}

/// `v-list-mail-accounts USER DOMAIN [FORMAT]` (219, 240, 615).
pub fn list_accounts(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-mail-accounts", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    let d = &user.mail_domains[domain_index(user, domain)?];
    Ok(match args.or(3, "shell") {
        "json" => {
            let mut out = String::from("{\n");
            for (i, a) in d.accounts.iter().enumerate() {
                push_object(
                    &mut out,
                    &a.account,
                    &account_fields(a, None),
                    i + 1 == d.accounts.len(),
                );
            }
            out.push_str("}\n");
            out
        }
        "plain" => d
            .accounts
            .iter()
            .map(|a| {
                format!(
                    "{}\t\t{}\t\tno\t{}\t0\t{}\t{}\t{}\n",
                    a.account,
                    a.fwd.join(","),
                    a.quota,
                    yes_no(a.suspended),
                    a.time,
                    a.date
                )
            })
            .collect(),
        "shell" => {
            let mut out = String::from(
                "ACCOUNT   ALIAS   FWD   DISK  DATE\n-------   -----   ---   ----  ----\n",
            );
            for a in &d.accounts {
                let fwd = a.fwd.join(",");
                let fwd = if fwd.is_empty() {
                    "no".to_string()
                } else if fwd.chars().count() > 20 {
                    format!("{}...", fwd.chars().take(20).collect::<String>())
                } else {
                    fwd
                };
                let _ = writeln!(out, "{} no {fwd} 0 {}", a.account, a.date);
            }
            out
        }
        _ => String::new(),
    })
}

/// `v-list-mail-account USER DOMAIN ACCOUNT [FORMAT]` (220, 229, 237, 243).
pub fn list_account(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-mail-account", 3, "USER DOMAIN ACCOUNT [FORMAT]")?;
    let (login, domain, account) = account_args(args)?;
    let user = existing_user(state, &login)?;
    let d = &user.mail_domains[domain_index(user, &domain)?];
    let a = &d.accounts[account_index(d, &account)?];
    Ok(match args.or(4, "shell") {
        "json" => {
            let mut out = String::from("{\n");
            push_object(&mut out, &account, &account_fields(a, Some(&domain)), true);
            out.push_str("}\n");
            out
        }
        "plain" => format!(
            "{account}\t\t{}\t\tno\t{}\t0\t{}\t{}\t{}\t{WEBMAIL_ALIAS}.{domain}\n",
            a.fwd.join(","),
            a.quota,
            yes_no(a.suspended),
            a.time,
            a.date
        ),
        "shell" => format!(
            "ACCOUNT:        {account}\nALIAS:          \nFORWARD:        {}\nFORWARD_ONLY:   \nAUTOREPLY:      no\nQUOTA:          {}\nDISK:           0\nSUSPENDED:      {}\nTIME:           {}\nDATE:           {}\nWEBMAIL_ALIAS:  {WEBMAIL_ALIAS}.{domain}\n",
            a.fwd.join(","),
            a.quota,
            yes_no(a.suspended),
            a.time,
            a.date
        ),
        _ => String::new(),
    })
}

impl State {
    /// Whether PASSWORD logs in to ACCOUNT@DOMAIN of USER now: the current
    /// password only, never while the account (or its owner) is suspended
    /// (`doveadm auth test` in side-effects-60-901.txt).
    pub fn mail_login(
        &self,
        user: &str,
        domain: &str,
        account: &str,
        password: &str,
    ) -> Result<bool, String> {
        let owner = self
            .users
            .get(user)
            .ok_or_else(|| format!("user {user} doesn't exist"))?;
        let mail = owner
            .mail_domains
            .iter()
            .find(|d| d.domain == domain)
            .ok_or_else(|| format!("mail domain {domain} doesn't exist"))?;
        let entry = mail
            .accounts
            .iter()
            .find(|a| a.account == account)
            .ok_or_else(|| format!("{domain} account {account} doesn't exist"))?;
        Ok(!entry.suspended
            && !mail.suspended
            && !owner.suspended
            && entry.password_sha256 == password_digest(password))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwards_match_as_whole_words() {
        assert!(word_match("x.ops@example.net", "ops@example.net"));
        assert!(word_match("boss@example.net", "boss@example.net"));
        assert!(!word_match("boss@example.net", "oss@example.net"));
        assert!(!word_match("xops@example.net", "ops@example.net"));
    }

    #[test]
    fn dkim_keys_look_like_2048_bit_rsa_keys() {
        let key = dkim_public_key("cap-mail.com", 7);
        assert_eq!(key.len(), 392);
        assert!(key.starts_with("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"));
        assert!(key.ends_with("IDAQAB"));
        assert_ne!(key, dkim_public_key("cap-mail.com", 8));
    }
}
