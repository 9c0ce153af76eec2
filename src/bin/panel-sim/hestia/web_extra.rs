//! What hangs off a web domain besides the domain itself: FTP accounts
//! (`v-add-web-domain-ftp`, `v-change-web-domain-ftp-password/-path`,
//! `v-delete-web-domain-ftp`; records 300-320, 602, 632-634, 651) and TLS
//! (`v-add-web-domain-ssl` reading files that `v-make-tmp-file` wrote,
//! `v-list-web-domain-ssl`, `v-delete-web-domain-ssl`, `v-add-letsencrypt-domain`;
//! records 500-523, 635). The 1.10.3 scripts of those names and
//! `is_web_domain_cert_valid` (`func/domain.sh`) give the checks and messages.

use std::fmt::Write as _;

use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::commands::{
    check_user_format, existing_user, existing_user_mut, unsuspended, Args, Failure, Outcome,
    E_CONNECT, E_EXISTS, E_FORBIDEN, E_INVALID, E_NOTEXIST,
};
use super::state::{password_digest, Certificate, FtpAccount, State, User, WebDomain};
use super::validate;

fn web_index(user: &User, domain: &str) -> Result<usize, Failure> {
    user.web_domains
        .iter()
        .position(|w| w.domain == domain)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("web domain {domain} doesn't exist")))
}

/// `readlink -f HOME/web/DOMAIN/PATH` on a server where every directory a
/// path passes through exists (assumption: the simulator has no disk; the
/// domain's own directories exist on a real panel and missing last components
/// are created by the scripts).
fn resolve(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined = format!("{base}/{relative}");
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The FTP path checks of the add and change scripts: the resolved path must
/// contain the domain directory (a substring test, as `grep` does), and the
/// stored form is that path with the directory removed. Records 305, 313.
fn ftp_path(login: &str, domain: &str, relative: &str) -> Result<String, Failure> {
    let base = format!("/home/{login}/web/{domain}");
    let absolute = resolve(&base, relative);
    if !absolute.contains(&base) {
        return Err(Failure::new(
            E_INVALID,
            format!("absolute path {absolute} is invalid"),
        ));
    }
    Ok(absolute.replacen(&base, "", 1))
}

/// `v-add-web-domain-ftp USER DOMAIN FTP_USER FTP_PASSWORD [FTP_PATH]`: the login
/// is always `USER_` + the name (301, 303). The first account of a domain keeps
/// FTP_PATH exactly as given, the others get the resolved relative path with a
/// leading `/` (the script only rewrites it when FTP_USER was not empty; 309).
pub fn add_ftp(state: &mut State, args: &Args) -> Result<(), Failure> {
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let ftp_user = format!("{login}_{}", args.get(3));
    args.check(
        "v-add-web-domain-ftp",
        4,
        "USER DOMAIN FTP_USER FTP_PASSWORD [FTP_PATH]",
    )?;
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    validate::user(&ftp_user, "ftp_user", false)?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let web = &user.web_domains[web_index(user, &domain)?];
    // The web domain is suspended exactly when its owner is (web.conf SUSPENDED).
    // `grep "^$ftp_user:" /etc/passwd`: FTP logins and panel users share it.
    if state.ftp_logins.contains(&ftp_user) || state.users.contains_key(&ftp_user) {
        return Err(Failure {
            code: E_EXISTS,
            message: String::new(),
            output: format!("Error: ftp user {ftp_user} already exists\n"),
        });
    }
    let given_path = args.get(5);
    let relative = if given_path.is_empty() {
        String::new()
    } else {
        ftp_path(login, &domain, given_path)?
    };
    let stored = if web.ftp.is_empty() {
        given_path.to_string()
    } else {
        relative
    };
    state.ftp_logins.insert(ftp_user.clone());
    let user = existing_user_mut(state, login)?;
    let index = web_index(user, &domain)?;
    user.web_domains[index].ftp.push(FtpAccount {
        login: ftp_user,
        password_sha256: password_digest(args.get(4)),
        path: stored,
    });
    Ok(())
}

/// The part the change/delete scripts share: the account must be listed in the
/// domain's FTP_USER with its full, prefixed name (311, 315, 319).
fn ftp_account(web: &WebDomain, ftp_user: &str) -> Result<usize, Failure> {
    web.ftp
        .iter()
        .position(|f| f.login == ftp_user)
        .ok_or_else(|| Failure {
            code: E_NOTEXIST,
            message: String::new(),
            output: format!("Error: account {ftp_user} doesn't exist\n"),
        })
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FtpChange {
    Password,
    Path,
    Delete,
}

/// `v-change-web-domain-ftp-password`, `v-change-web-domain-ftp-path` and
/// `v-delete-web-domain-ftp` (the delete works under a suspended owner: 651).
pub fn change_ftp(state: &mut State, args: &Args, change: FtpChange) -> Result<(), Failure> {
    let (cmd, needed, usage) = match change {
        FtpChange::Password => (
            "v-change-web-domain-ftp-password",
            4,
            "USER DOMAIN FTP_USER FTP_PASSWORD",
        ),
        FtpChange::Path => (
            "v-change-web-domain-ftp-path",
            4,
            "USER DOMAIN FTP_USER FTP_PATH",
        ),
        FtpChange::Delete => ("v-delete-web-domain-ftp", 3, "USER DOMAIN FTP_USER"),
    };
    args.check(cmd, needed, usage)?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let ftp_user = args.get(3);
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !ftp_user.is_empty() {
        validate::user(ftp_user, "ftp_user", false)?;
    }
    let user = existing_user(state, login)?;
    if change != FtpChange::Delete {
        unsuspended(login, user)?;
    }
    let web = &user.web_domains[web_index(user, &domain)?];
    let position = ftp_account(web, ftp_user)?;
    let new_path = if change == FtpChange::Path {
        Some(ftp_path(login, &domain, args.get(4))?)
    } else {
        None
    };
    let user = existing_user_mut(state, login)?;
    let index = web_index(user, &domain)?;
    let web = &mut user.web_domains[index];
    match change {
        FtpChange::Password => web.ftp[position].password_sha256 = password_digest(args.get(4)),
        FtpChange::Path => web.ftp[position].path = new_path.unwrap_or_default(),
        FtpChange::Delete => {
            let removed = web.ftp.remove(position);
            state.ftp_logins.remove(&removed.login);
        }
    }
    Ok(())
}

/// `v-make-tmp-file CONTENT FILENAME`, which `web/api/index.php` handles itself:
/// CONTENT plus a newline into `/tmp/<basename of FILENAME>` (501, 504).
pub fn make_tmp_file(state: &mut State, args: &[String]) {
    let content = args.first().map(String::as_str).unwrap_or("");
    let name = args.get(1).map(String::as_str).unwrap_or("");
    let base = name.rsplit('/').next().unwrap_or("");
    if base.is_empty() || base == "." || base == ".." {
        return;
    }
    state
        .tmp_files
        .insert(base.to_string(), format!("{content}\n"));
}

/// A file's text as `cat FILE | sed ':a;N;$!ba;s/\n/\\n/g'` prints it inside
/// `$(...)`: trailing newlines dropped (the JSON escaping is done when listed).
fn stored_text(file: &str) -> String {
    file.trim_end_matches('\n').to_string()
}

/// What the listing shows of a certificate (`openssl x509 -text` lines).
pub struct CertInfo {
    pub subject: String,
    pub aliases: String,
    pub not_before: String,
    pub not_after: String,
    pub signature: String,
    pub pub_key: String,
    pub issuer: String,
    /// Raw public key, to compare with the private key's.
    public_key: Vec<u8>,
    self_signed: bool,
}

/// OpenSSL's short names for the attributes of a distinguished name.
fn short_name(oid: &str) -> String {
    match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.5" => "serialNumber",
        "1.2.840.113549.1.9.1" => "emailAddress",
        other => return other.to_string(),
    }
    .to_string()
}

/// OpenSSL 3's default one-line form: `C = US, O = Let's Encrypt, CN = R3` (507).
fn one_line(name: &x509_parser::x509::X509Name<'_>) -> String {
    name.iter_attributes()
        .map(|attribute| {
            format!(
                "{} = {}",
                short_name(&attribute.attr_type().to_id_string()),
                attribute.as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn signature_name(oid: &str) -> String {
    match oid {
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.5" => "sha1WithRSAEncryption",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.3.101.112" => "ED25519",
        other => return other.to_string(),
    }
    .to_string()
}

/// `Dec  3 15:06:06 2026 GMT`, as openssl prints validity dates (507).
fn openssl_time(time: x509_parser::time::ASN1Time) -> String {
    chrono::DateTime::from_timestamp(time.timestamp(), 0)
        .map(|t| t.format("%b %e %H:%M:%S %Y GMT").to_string())
        .unwrap_or_default()
}

/// Parses a PEM certificate; `None` when openssl could not load it either.
pub fn certificate_info(pem_text: &str) -> Option<CertInfo> {
    let block = pem_block(pem_text, "CERTIFICATE")?;
    let (_, cert) = X509Certificate::from_der(&block).ok()?;
    let spki = cert.public_key();
    let bits = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => rsa.key_size(),
        Ok(x509_parser::public_key::PublicKey::EC(point)) => point.key_size(),
        _ => spki.subject_public_key.data.len() * 8,
    };
    let aliases = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some((*dns).to_string()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let subject = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .unwrap_or("")
        .to_string();
    Some(CertInfo {
        subject,
        aliases,
        not_before: openssl_time(cert.validity().not_before),
        not_after: openssl_time(cert.validity().not_after),
        signature: signature_name(&cert.signature_algorithm.algorithm.to_id_string()),
        pub_key: format!("{bits} bit"),
        issuer: one_line(cert.issuer()),
        public_key: spki.subject_public_key.data.to_vec(),
        self_signed: cert.issuer().as_raw() == cert.subject().as_raw(),
    })
}

/// The DER of the first `-----BEGIN <label>-----` block.
fn pem_block(text: &str, label: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)? + begin.len();
    let stop = start + text[start..].find(&end)?;
    let body: String = text[start..stop]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok()
}

/// `is_web_domain_cert_valid` in the script's order. Returns the files to install.
fn checked_certificate(state: &State, dir: &str, domain: &str) -> Result<Certificate, Failure> {
    let file = |ext: &str| -> Option<&String> {
        // Assumption: only `/tmp` holds files (the API can write nowhere else).
        if dir.trim_end_matches('/') == "/tmp" {
            state.tmp_files.get(&format!("{domain}.{ext}"))
        } else {
            None
        }
    };
    let dir_shown = dir.trim_end_matches('/');
    let crt = file("crt")
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("{dir_shown}/{domain}.crt not found")))?;
    let key = file("key")
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("{dir_shown}/{domain}.key not found")))?;
    let info = certificate_info(crt)
        .ok_or_else(|| Failure::new(E_INVALID, "SSL Certificate is not valid"))?;
    let ca = file("ca");
    // `openssl verify` without the chain: "unable to get local issuer
    // certificate" for anything not self-signed (no public CA is trusted here).
    if !info.self_signed && ca.is_none() {
        return Err(Failure::new(E_NOTEXIST, "Certificate Authority not found"));
    }
    if let Some(ca) = ca {
        let chain_subject = pem_block(ca, "CERTIFICATE")
            .and_then(|der| {
                X509Certificate::from_der(&der)
                    .ok()
                    .map(|(_, c)| one_line(c.subject()))
            })
            .unwrap_or_default();
        if chain_subject != info.issuer {
            return Err(Failure::new(
                E_NOTEXIST,
                "SSL intermediate chain is not valid",
            ));
        }
    }
    if key.lines().filter(|l| l.contains("PRIVATE KEY")).count() != 2 {
        return Err(Failure::new(E_INVALID, "SSL Key is not valid"));
    }
    if key.contains("ENCRYPTED") {
        return Err(Failure::new(
            E_FORBIDEN,
            "SSL Key is protected (remove pass_phrase)",
        ));
    }
    let matches = rcgen::KeyPair::from_pem(key)
        .map(|pair| pair.public_key_raw() == info.public_key.as_slice())
        .unwrap_or(false);
    if !matches {
        return Err(Failure::new(
            E_INVALID,
            "ssl certificate key pair is not valid",
        ));
    }
    Ok(Certificate {
        crt: stored_text(crt),
        key: stored_text(key),
        ca: ca.map(|ca| stored_text(ca)).unwrap_or_default(),
    })
}

/// `v-add-web-domain-ssl USER DOMAIN SSL_DIR [SSL_HOME] [RESTART]`.
pub fn add_ssl(state: &mut State, args: &Args) -> Result<(), Failure> {
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let dir = args.get(3);
    args.check(
        "v-add-web-domain-ssl",
        3,
        "USER DOMAIN SSL_DIR [SSL_HOME] [RESTART]",
    )?;
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    // `is_folder_exists`: the simulated server's only writable directory is /tmp.
    if !dir.is_empty() && dir.trim_end_matches('/') != "/tmp" {
        return Err(Failure::new(
            E_NOTEXIST,
            format!("folder {dir} does not exist"),
        ));
    }
    validate::restart(args.get(5))?;
    if dir.contains(['\'', '"']) {
        return Err(Failure::new(
            E_INVALID,
            format!("Invalid  contains qoutes (\" or ' or | ) :: {dir}"),
        ));
    }
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let web = &user.web_domains[web_index(user, &domain)?];
    if web.ssl.is_some() {
        return Err(Failure::new(E_EXISTS, "SSL=yes already exists"));
    }
    let certificate = checked_certificate(state, dir, &domain)?;
    let user = existing_user_mut(state, login)?;
    let index = web_index(user, &domain)?;
    user.web_domains[index].ssl = Some(certificate);
    Ok(())
}

/// `v-delete-web-domain-ssl USER DOMAIN [RESTART]` (also clears LETSENCRYPT).
pub fn delete_ssl(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-web-domain-ssl", 2, "USER DOMAIN [RESTART]")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    validate::restart(args.get(3))?;
    let user = existing_user_mut(state, login)?;
    let index = web_index(user, &domain)?;
    let web = &mut user.web_domains[index];
    if web.ssl.take().is_none() {
        return Err(Failure::new(E_NOTEXIST, "SSL=no doesn't exist"));
    }
    web.letsencrypt = false;
    Ok(())
}

/// JSON string escaping of `v-list-web-domain-ssl`: newlines as `\n` for the
/// PEM fields (`sed`), backslash and quote for the others (`json_escape`).
fn pem_json(text: &str) -> String {
    text.replace('\n', "\\n")
}

fn json_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `v-list-web-domain-ssl USER DOMAIN [FORMAT]`: the files (the private key
/// too) and what openssl reads from the certificate; every field empty
/// without SSL (507, 511).
pub fn list_ssl(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-web-domain-ssl", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    let web = &user.web_domains[web_index(user, domain)?];
    let empty = Certificate {
        crt: String::new(),
        key: String::new(),
        ca: String::new(),
    };
    let files = web.ssl.as_ref().unwrap_or(&empty);
    let info = certificate_info(&files.crt);
    let field =
        |pick: fn(&CertInfo) -> &String| info.as_ref().map(pick).cloned().unwrap_or_default();
    let subject = field(|i| &i.subject);
    let aliases = field(|i| &i.aliases);
    let before = field(|i| &i.not_before);
    let after = field(|i| &i.not_after);
    let signature = field(|i| &i.signature);
    let pub_key = field(|i| &i.pub_key);
    let issuer = field(|i| &i.issuer);
    Ok(match args.or(3, "shell") {
        "json" => {
            let mut out = String::new();
            let _ = write!(
                out,
                "{{\n\t\"{domain}\": {{\n        \"CRT\": \"{}\",\n        \"KEY\": \"{}\",\n        \"CA\": \"{}\",\n        \"SUBJECT\": \"{}\",\n        \"ALIASES\": \"{}\",\n        \"NOT_BEFORE\": \"{}\",\n        \"NOT_AFTER\": \"{}\",\n        \"SIGNATURE\": \"{}\",\n        \"PUB_KEY\": \"{}\",\n        \"ISSUER\": \"{}\"\n\t}}\n}}\n",
                pem_json(&files.crt),
                pem_json(&files.key),
                pem_json(&files.ca),
                json_escape(&subject),
                json_escape(&aliases),
                json_escape(&before),
                json_escape(&after),
                json_escape(&signature),
                json_escape(&pub_key),
                json_escape(&issuer)
            );
            out
        }
        "plain" | "shell" if files.crt.is_empty() => String::new(),
        "plain" => format!(
            "{}\n\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\nno\n",
            files.crt,
            files.key,
            if files.ca.is_empty() {
                String::new()
            } else {
                format!("\n{}", files.ca)
            },
            subject,
            aliases.replace(',', " "),
            before,
            after,
            signature,
            pub_key,
            issuer
        ),
        "shell" => format!(
            "{}\n\n{}\n\n\nSUBJECT:        {subject}\nALIASES:        {}\nVALID FROM:     {before}\nVALID TIL:      {after}\nSIGNATURE:      {signature}\nPUB_KEY:        {pub_key}\nISSUER:         {issuer}\nSSL_FORCE:      no\n",
            files.crt,
            files.key,
            aliases.replace(',', " ")
        ),
        _ => String::new(),
    })
}

/// The checks `v-add-letsencrypt-domain USER DOMAIN [ALIASES] [MAIL]` makes before
/// it talks to Let's Encrypt (521, 522), then the account registration that
/// fails without a way out (520). Returns the names to certify.
pub fn letsencrypt_checks(
    state: &State,
    args: &Args,
    reachable: bool,
) -> Result<Vec<String>, Failure> {
    args.check(
        "v-add-letsencrypt-domain",
        2,
        "USER DOMAIN [ALIASES] [MAIL]",
    )?;
    let (login, domain, aliases) = (args.get(1), args.get(2), args.get(3));
    let mail = args.get(4).replace(' ', "");
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    if !aliases.is_empty() {
        validate::aliases(aliases)?;
    }
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    if !mail.is_empty() {
        validate::boolean(&mail, "mail")?;
    }
    if mail == "yes" {
        // Assumption: certificates for mail domains are not simulated; the
        // script's own refusal for a missing mail domain is kept.
        return Err(Failure::new(
            E_NOTEXIST,
            format!("mail domain {domain} doesn't exist"),
        ));
    }
    let web = &user.web_domains[web_index(user, domain)?];
    let mut names = vec![domain.to_string()];
    if aliases != format!("*.{domain}") {
        let mut wanted: Vec<&str> = aliases.split(',').filter(|a| !a.is_empty()).collect();
        wanted.sort_unstable();
        wanted.dedup();
        for alias in wanted {
            if !web.alias.split(',').any(|a| a == alias) {
                return Err(Failure::new(
                    E_NOTEXIST,
                    format!("domain alias {alias} doesn't exist"),
                ));
            }
            names.push(alias.to_string());
        }
    } else {
        names.push(aliases.to_string());
    }
    if !reachable {
        return Err(Failure {
            code: E_CONNECT,
            message: String::new(),
            output: "Error: Let's Encrypt acc registration failed\n".into(),
        });
    }
    Ok(names)
}

/// The simulated issuance: a self-signed certificate for the names, valid 90
/// days from now like a Let's Encrypt one, installed as `v-add-web-domain-ssl`
/// (or `v-update-web-domain-ssl` when SSL is on) would, with `LETSENCRYPT=yes`.
/// Assumption (issue 13): no CA is simulated, so the issuer is the domain itself
/// and there is no chain; an ECDSA P-256 key keeps issuance cheap.
pub fn letsencrypt_issue(state: &mut State, login: &str, names: &[String]) -> Result<(), Failure> {
    let domain = names.first().cloned().unwrap_or_default();
    let failed = |what: &str| Failure::new(E_CONNECT, format!("Let's Encrypt {what} failed"));
    let key = rcgen::KeyPair::generate().map_err(|_| failed("key generation"))?;
    let mut params = rcgen::CertificateParams::new(names.to_vec()).map_err(|_| failed("order"))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, domain.clone());
    let now = chrono::Utc::now().timestamp();
    let at = |seconds: i64| {
        rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_secs(seconds.max(0) as u64)
    };
    params.not_before = at(now);
    params.not_after = at(now + 90 * 24 * 3600);
    let cert = params.self_signed(&key).map_err(|_| failed("finalize"))?;
    let user = existing_user_mut(state, login)?;
    let index = web_index(user, &domain)?;
    let web = &mut user.web_domains[index];
    web.ssl = Some(Certificate {
        crt: stored_text(&cert.pem()),
        key: stored_text(&key.serialize_pem()),
        ca: String::new(),
    });
    web.letsencrypt = true;
    Ok(())
}

/// `v-add-letsencrypt-domain` as the API runs it: the checks answer at once
/// (`Err`), a request that passes them takes the configured issuance time
/// (the caller sleeps) and is then run in full by `letsencrypt_run`.
pub fn letsencrypt_precheck(state: &State, args: &[String]) -> Result<(), Outcome> {
    letsencrypt_checks(state, &Args(args), true)
        .map(|_| ())
        .map_err(Outcome::from)
}

/// Runs `v-add-letsencrypt-domain` to the end (checks again: the panel may
/// have changed while the issuance took its time).
pub fn letsencrypt_run(state: &mut State, args: &[String], reachable: bool) -> Outcome {
    let args = Args(args);
    match letsencrypt_checks(state, &args, reachable)
        .and_then(|names| letsencrypt_issue(state, args.get(1), &names))
    {
        Ok(()) => Outcome::ok(String::new()),
        Err(failure) => failure.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftp_paths_resolve_inside_the_domain_directory() {
        assert_eq!(
            ftp_path("capmore", "cap-web.com", "public_html/uploads").unwrap(),
            "/public_html/uploads"
        );
        assert_eq!(
            ftp_path("capmore", "cap-web.com", "../../..")
                .unwrap_err()
                .message,
            "absolute path /home is invalid"
        );
        assert_eq!(
            ftp_path("capmore", "cap-web.com", "../../../etc")
                .unwrap_err()
                .message,
            "absolute path /home/etc is invalid"
        );
        assert_eq!(ftp_path("bob", "b.org", "./x//y/").unwrap(), "/x/y");
    }

    #[test]
    fn a_generated_certificate_reads_back_like_openssl_prints_it() {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params =
            rcgen::CertificateParams::new(vec!["a.org".into(), "www.a.org".into()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "a.org");
        params.not_before = rcgen::date_time_ymd(2026, 12, 3);
        params.not_after = rcgen::date_time_ymd(2027, 12, 3);
        let cert = params.self_signed(&key).unwrap();
        let info = certificate_info(&cert.pem()).unwrap();
        assert_eq!(info.subject, "a.org");
        assert_eq!(info.aliases, "a.org,www.a.org");
        assert_eq!(info.not_before, "Dec  3 00:00:00 2026 GMT");
        assert_eq!(info.issuer, "CN = a.org");
        assert_eq!(info.signature, "ecdsa-with-SHA256");
        assert_eq!(info.pub_key, "256 bit");
        assert!(info.self_signed);
        let pair = rcgen::KeyPair::from_pem(&key.serialize_pem()).unwrap();
        assert_eq!(pair.public_key_raw(), info.public_key.as_slice());
    }
}
