//! Document roots that live in a home directory (Plesk: every site of a subscription
//! keeps its files in the subscription's home, `<vhosts>/<subscription ASCII name>`).
//!
//! Plesk takes the `www_root` hosting property relative to that home (a leading `/`
//! included: `/public` is `<home>/public`) and reports it absolute
//! (`/var/www/vhosts/example.com/public`). Written either way, a document root names
//! the same directory here, and both spellings have ONE normal form, the one state
//! holds: `/public`, relative to the home with one leading `/` (what this provider has
//! always reported). The rules, for a written value:
//!
//! 1. empty segments and `.` are dropped; `..` is refused (it could leave the home);
//! 2. an absolute path under the home is taken relative to it:
//!    `/var/www/vhosts/example.com/public` is `public`;
//! 3. a path starting with a top-level system directory (`/var`, `/srv`, `/home`, ...,
//!    see [`SYSTEM_DIRECTORIES`]) but not under the home is refused: it means a
//!    directory outside the home, which Plesk would silently create inside it;
//! 4. anything else is relative to the home (`public`, `/public`, `/site/public`);
//! 5. the home itself is refused: a site needs a directory in it.
//!
//! The normal form of a relative path that rule 3 would read as absolute (the home
//! holds a `var/...` directory) is the absolute path, so every normal form reads back
//! as itself and a wrong directory shows as drift instead of hiding behind a spelling.

/// Where Plesk on Linux keeps subscription homes unless its administrator moved them
/// (`HTTPD_VHOSTS_D`).
pub const PLESK_VHOSTS_DIR: &str = "/var/www/vhosts";

/// Top-level directories of a Linux filesystem: a written path starting with one of
/// them is meant as absolute.
pub const SYSTEM_DIRECTORIES: &[&str] = &[
    "bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root",
    "run", "sbin", "srv", "sys", "tmp", "usr", "var",
];

/// The home of a Plesk subscription on a server with the default vhosts directory.
pub fn plesk_home(subscription_ascii_name: &str) -> String {
    format!("{PLESK_VHOSTS_DIR}/{subscription_ascii_name}")
}

/// The home of a subscription as a reported absolute `www_root` shows it: the path up
/// to and including the first segment named after the subscription; `None` when the
/// path has no such segment (a layout this rule does not know).
pub fn home_in(www_root: &str, subscription_ascii_name: &str) -> Option<String> {
    let mut home = String::new();
    for segment in www_root.split('/').filter(|s| !s.is_empty()) {
        home.push('/');
        home.push_str(segment);
        if segment.eq_ignore_ascii_case(subscription_ascii_name) {
            return Some(home);
        }
    }
    None
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

/// A document root relative to its home directory, without leading or trailing `/`:
/// `httpdocs`, `site/public`. Never empty, never with `..`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HomeRelative(String);

impl HomeRelative {
    /// Reads a written document root (see the module docs), or says what is wrong with
    /// it, as a phrase that follows the value: "lies outside ...".
    pub fn parse(written: &str, home: &str) -> Result<HomeRelative, String> {
        let written = written.trim();
        if written.chars().any(|c| c.is_control() || c == '\\') {
            return Err("contains a control character or a backslash".to_owned());
        }
        let parts = segments(written);
        if parts.contains(&"..") {
            return Err("contains `..`; give a directory inside the home without it".to_owned());
        }
        let home_parts = segments(home);
        let relative: &[&str] = if written.starts_with('/') && parts.starts_with(&home_parts) {
            &parts[home_parts.len()..]
        } else if written.starts_with('/')
            && parts
                .first()
                .is_some_and(|first| SYSTEM_DIRECTORIES.contains(first))
        {
            return Err(format!(
                "lies outside the subscription's home directory {home}; give it relative to \
                 the home (e.g. `httpdocs`) or as an absolute path under the home"
            ));
        } else {
            &parts
        };
        if relative.is_empty() {
            return Err(format!(
                "is the home directory {home} itself; name a directory in it, e.g. `httpdocs`"
            ));
        }
        Ok(HomeRelative(relative.join("/")))
    }

    /// The relative path Plesk's `www_root` takes: `site/public`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute path: `<home>/site/public`.
    pub fn absolute(&self, home: &str) -> String {
        format!("{}/{}", home.trim_end_matches('/'), self.0)
    }

    /// The one form state holds: `/site/public`, or the absolute path when that form
    /// would read as another directory (see the module docs).
    pub fn normal(&self, home: &str) -> String {
        let short = format!("/{}", self.0);
        match HomeRelative::parse(&short, home) {
            Ok(same) if same == *self => short,
            _ => self.absolute(home),
        }
    }
}

/// The normal form of a written document root in `home`, or what is wrong with it.
pub fn normal_document_root(written: &str, home: &str) -> Result<String, String> {
    HomeRelative::parse(written, home).map(|relative| relative.normal(home))
}

/// The normal form of a document root a panel reports: relative to `home` when it lies
/// under it, `/` for the home itself, else exactly as reported (a layout these rules
/// do not know is shown, not guessed at). A reported relative path is read as written.
pub fn reported_document_root(reported: &str, home: &str) -> String {
    let reported = reported.trim();
    if !reported.starts_with('/') {
        return normal_document_root(reported, home).unwrap_or_else(|_| format!("/{reported}"));
    }
    let parts = segments(reported);
    let home_parts = segments(home);
    match parts.strip_prefix(home_parts.as_slice()) {
        Some([]) => "/".to_owned(),
        Some(rest) if !rest.contains(&"..") => HomeRelative(rest.join("/")).normal(home),
        _ => reported.to_owned(),
    }
}

/// What is wrong with a written document root that no home of subscription
/// `subscription_ascii_name` can hold, whatever the vhosts directory: an absolute path
/// in a system directory (rule 3) without a segment named after the subscription (where
/// a home ends, [`home_in`]), or one with `..`. `None` when only the real home can tell.
pub fn outside_every_home(written: &str, subscription_ascii_name: &str) -> Option<String> {
    let trimmed = written.trim();
    let parts = segments(trimmed);
    if parts.contains(&"..") {
        return Some("contains `..`; give a directory inside the home without it".to_owned());
    }
    let system = trimmed.starts_with('/')
        && parts
            .first()
            .is_some_and(|first| SYSTEM_DIRECTORIES.contains(first));
    (system && home_in(trimmed, subscription_ascii_name).is_none()).then(|| {
        format!(
            "lies outside the home directory of subscription {subscription_ascii_name} \
             (`{}`); give it relative to the home (e.g. `httpdocs`) or as an absolute path \
             under the home",
            plesk_home(subscription_ascii_name)
        )
    })
}

/// Whether two spellings of a document root name the same directory of `home` (for
/// keeping a configured spelling in state when it means what the panel reports).
pub fn same_document_root(a: &str, b: &str, home: &str) -> bool {
    match (HomeRelative::parse(a, home), HomeRelative::parse(b, home)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: &str = "/var/www/vhosts/example.com";

    fn normal(written: &str) -> Result<String, String> {
        normal_document_root(written, HOME)
    }

    #[test]
    fn paths_no_home_can_hold_are_known_without_the_home() {
        let outside = |written: &str| outside_every_home(written, "example.com");
        assert!(outside("/etc/passwd-dir").is_some());
        assert!(outside("/var/www/vhosts/other.example/public").is_some());
        assert!(outside("public/../../etc").is_some());
        // The home may be elsewhere; only the server knows, so these wait for it.
        assert_eq!(outside("/var/www/vhosts/example.com/public"), None);
        assert_eq!(outside("/srv/sites/example.com/public"), None);
        assert_eq!(outside("public"), None);
        assert_eq!(outside("/public"), None);
    }

    #[test]
    fn both_forms_normalise_to_the_relative_one() {
        for written in [
            "public",
            "/public",
            "public/",
            "./public",
            "/var/www/vhosts/example.com/public",
            "/var/www/vhosts/example.com//public/",
            " /var/www/vhosts/example.com/public ",
        ] {
            assert_eq!(normal(written), Ok("/public".to_owned()), "{written:?}");
        }
        assert_eq!(normal("site/public"), Ok("/site/public".to_owned()));
        assert_eq!(
            HomeRelative::parse("/var/www/vhosts/example.com/a/b", HOME)
                .unwrap()
                .as_str(),
            "a/b"
        );
    }

    #[test]
    fn paths_outside_the_home_are_refused() {
        for written in [
            "/var/www/vhosts/other.com/public",
            "/var/www/html",
            "/srv/www",
            "/home/fred/public",
            "/etc",
            "../other.com/public",
            "public/../../x",
        ] {
            let problem = normal(written).expect_err(written);
            assert!(
                problem.contains("outside") || problem.contains(".."),
                "{written:?}: {problem}"
            );
        }
        for written in ["", "/", HOME, "/var/www/vhosts/example.com/"] {
            assert!(
                normal(written).expect_err(written).contains("itself"),
                "{written:?}"
            );
        }
        assert!(normal("a\\b").is_err());
    }

    #[test]
    fn a_home_directory_named_like_a_system_one_keeps_its_absolute_form() {
        // What Plesk stored for a configured absolute path before this rule: the
        // home holds `var/www/vhosts/example.com/public`. Its normal form must not
        // read as `<home>/public`, or the wrong directory would never show as drift.
        let stored = HomeRelative::parse(
            "/var/www/vhosts/example.com/var/www/vhosts/example.com/public",
            HOME,
        )
        .unwrap();
        assert_eq!(stored.as_str(), "var/www/vhosts/example.com/public");
        let shown = stored.normal(HOME);
        assert_eq!(
            shown,
            "/var/www/vhosts/example.com/var/www/vhosts/example.com/public"
        );
        assert_eq!(HomeRelative::parse(&shown, HOME), Ok(stored.clone()));
        assert_ne!(normal("/var/www/vhosts/example.com/public"), Ok(shown));
    }

    #[test]
    fn homes_are_found_in_reported_paths() {
        assert_eq!(
            home_in("/var/www/vhosts/example.com/httpdocs", "example.com").as_deref(),
            Some(HOME)
        );
        assert_eq!(
            home_in("/data/vh/example.com/site/public", "example.com").as_deref(),
            Some("/data/vh/example.com")
        );
        assert_eq!(home_in("/srv/other/httpdocs", "example.com"), None);
        assert_eq!(plesk_home("example.com"), HOME);
    }

    #[test]
    fn reported_paths_are_shown_relative_to_the_home() {
        let shown = |reported| reported_document_root(reported, HOME);
        assert_eq!(shown("/var/www/vhosts/example.com/httpdocs"), "/httpdocs");
        assert_eq!(
            shown("/var/www/vhosts/example.com/site/public/"),
            "/site/public"
        );
        assert_eq!(shown("/var/www/vhosts/example.com"), "/");
        // A site's root lies in its subscription's home, even when named after the site.
        assert_eq!(
            shown("/var/www/vhosts/example.com/shop.example.org"),
            "/shop.example.org"
        );
        assert_eq!(shown("public"), "/public");
        assert_eq!(shown("/srv/elsewhere/www"), "/srv/elsewhere/www");
        assert_eq!(
            shown("/var/www/vhosts/example.com/var/www/vhosts/example.com/public"),
            "/var/www/vhosts/example.com/var/www/vhosts/example.com/public"
        );
    }

    #[test]
    fn spellings_compare_by_directory() {
        assert!(same_document_root(
            "/var/www/vhosts/example.com/public",
            "/public",
            HOME
        ));
        assert!(same_document_root("public", "/public/", HOME));
        assert!(!same_document_root("/public", "/httpdocs", HOME));
        assert!(!same_document_root(
            "/var/www/vhosts/example.com/public",
            "/var/www/vhosts/example.com/var/www/vhosts/example.com/public",
            HOME
        ));
    }
}
