//! Per-object panel services: what a backend offers for one object type.
//!
//! A backend implements [`Service<O>`] for each object type its panel has, and
//! returns it from the matching [`Panel`](super::Panel) accessor; every accessor
//! defaults to `None` ("this panel has no such objects"), so adding an object type
//! never breaks a backend that lacks it. The resource engine drives every type through
//! the same generic calls; only [`PanelObject`] says what is particular to a type.

use std::fmt::Debug;

use super::{Panel, PanelResult};

/// Where an object is: its panel id, plus what state knows about it that lets a
/// backend go straight to it (the owner), instead of searching.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Locator {
    pub id: String,
    /// The owner's `User::id`, when the object has one and it is known.
    pub owner: Option<String>,
    /// What the object holds, for objects a panel addresses by position (a crontab
    /// line): the backend finds it again by content when its position moved, and
    /// never changes a position that holds something else.
    pub content: Option<String>,
    /// The user state records for an object that has one of its own (a database's
    /// user, as the panel stores it): a backend that cannot tell a database's own user
    /// from other users with access reports this one while it still has access, and a
    /// delete that removes the database's own user removes only this one.
    pub user: Option<String>,
}

impl Locator {
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            owner: None,
            content: None,
            user: None,
        }
    }

    /// Adds the owner hint (ignored when empty).
    pub fn with_owner(mut self, owner: Option<&str>) -> Self {
        self.owner = owner.filter(|o| !o.is_empty()).map(str::to_owned);
        self
    }

    /// Adds the object's own user (see [`Locator::user`]; ignored when empty).
    pub fn with_user(mut self, user: Option<&str>) -> Self {
        self.user = user.filter(|u| !u.is_empty()).map(str::to_owned);
        self
    }

    /// Adds what the object holds (see [`Locator::content`]).
    pub fn with_content(mut self, content: impl Into<String>) -> Self {
        self.content = Some(content.into());
        self
    }
}

/// Filters for list calls; `None` means "all".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListFilter {
    pub owner: Option<String>,
}

impl ListFilter {
    pub fn owned_by(owner: impl Into<String>) -> Self {
        Self {
            owner: Some(owner.into()),
        }
    }
}

/// One object type as the panel layer knows it.
pub trait PanelObject: Clone + Debug + Send + Sync + 'static {
    /// What a create needs.
    type Spec: Clone + Debug + Send + Sync;
    /// What an update may change (fields set to `Some`).
    type Patch: Clone + Debug + Default + Send + Sync;
    /// The natural key: what identifies the object before the panel gave it an id
    /// (a login, a domain name, a database name within its owner).
    type Key: Clone + Debug + PartialEq + Send + Sync;
    /// How a person calls one of these: "user", "domain".
    const NOUN: &'static str;

    fn id(&self) -> &str;

    /// Where the object is, for reads, updates and deletes after this one.
    fn locator(&self) -> Locator;

    /// The owner's id, for objects that belong to a user.
    fn owner(&self) -> Option<&str>;

    /// The natural key a create of `spec` gives its object.
    fn spec_key(spec: &Self::Spec) -> Self::Key;

    /// `key` widened to the whole panel, for keys that narrow a lookup to one owner:
    /// used to say who has an object the panel refused to create again.
    fn anywhere(key: &Self::Key) -> Self::Key {
        key.clone()
    }

    /// The panel's service for this type, if the panel has these objects.
    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>>;
}

/// What a panel offers for one object type. Conventions:
/// - reads answer `Ok(None)` when the object does not exist;
/// - delete is idempotent: deleting something already gone is `Ok(())`;
/// - a create that collides with an existing object fails with
///   [`PanelErrorKind::AlreadyExists`](super::PanelErrorKind::AlreadyExists);
/// - non-idempotent calls are never retried blindly (a 429 is: the panel did nothing);
///   a failure whose outcome is unknown says so in its [`Effect`](super::Effect).
#[async_trait::async_trait]
pub trait Service<O: PanelObject>: Send + Sync {
    async fn create(&self, spec: &O::Spec) -> PanelResult<O>;

    /// The object for a refresh. A backend may serve it from lists shared by every
    /// resource read in this run (one request for many objects).
    async fn get(&self, at: &Locator) -> PanelResult<Option<O>>;

    /// The object right after a change to it: that one object, fresh from the panel,
    /// never a whole list (a large apply would otherwise be quadratic).
    async fn read_back(&self, at: &Locator) -> PanelResult<Option<O>> {
        self.get(at).await
    }

    /// Looks an object up by its natural key: before a create (so an existing object is
    /// reported, never adopted) and after a create whose answer was lost.
    async fn find(&self, key: &O::Key) -> PanelResult<Option<O>>;

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<O>>;

    /// Applies `patch` and answers the object as the panel has it afterwards.
    async fn update(&self, at: &Locator, patch: &O::Patch) -> PanelResult<O>;

    async fn delete(&self, at: &Locator) -> PanelResult<()>;

    /// When the panel cannot remove this type's objects: what a delete leaves behind
    /// there. The engine still removes the object from state and shows this text in a
    /// warning naming the resource and the panel. `None` (the default): deletes remove.
    fn delete_leaves(&self) -> Option<&'static str> {
        None
    }

    /// The object named by a user's import id (`terraform import`), in any of the
    /// forms [`import_format`](Self::import_format) documents.
    async fn import(&self, id: &str) -> PanelResult<Option<O>>;

    /// The import id this panel documents for `object`: what the "already exists"
    /// diagnostic tells a person to import.
    fn import_id(&self, object: &O) -> String;

    /// The import id forms this panel accepts, for diagnostics and docs.
    fn import_format(&self) -> &'static str;
}
