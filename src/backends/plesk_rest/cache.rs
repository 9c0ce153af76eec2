//! [`SharedList`]: one panel-wide list (all customers, all domains, ...) shared by every
//! read of a provider run.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use tokio::sync::OnceCell;

use crate::panel::PanelResult;

/// One whole-panel list, loaded at most once at a time: concurrent readers wait for
/// the one load in flight (single flight), and every later reader uses its answer until
/// a write makes it stale. A failed load is not kept: the next reader tries again.
///
/// A write either drops the list ([`invalidate`](Self::invalidate)) or, when it knows
/// exactly what changed, patches it in place ([`update`](Self::update)), so that a run
/// creating many objects does not load the whole list again after each one.
pub struct SharedList<T> {
    current: Mutex<Arc<OnceCell<RwLock<T>>>>,
}

impl<T> Default for SharedList<T> {
    fn default() -> Self {
        Self {
            current: Mutex::new(Arc::new(OnceCell::new())),
        }
    }
}

impl<T> std::fmt::Debug for SharedList<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedList")
            .field("loaded", &self.cell().initialized())
            .finish()
    }
}

impl<T> SharedList<T> {
    fn cell(&self) -> Arc<OnceCell<RwLock<T>>> {
        // Only an Arc is swapped under this lock: a panic elsewhere cannot leave it
        // half-written, so a poisoned lock is still good.
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `read` applied to the list, loading it with `load` when no reader has yet (or
    /// since the last write).
    pub async fn read<R, F, Fut>(&self, load: F, read: impl FnOnce(&T) -> R) -> PanelResult<R>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = PanelResult<T>>,
    {
        let cell = self.cell();
        let list = cell
            .get_or_try_init(|| async { load().await.map(RwLock::new) })
            .await?;
        let list = list.read().unwrap_or_else(PoisonError::into_inner);
        Ok(read(&list))
    }

    /// Applies `change` to the loaded list. When no list is loaded, or a load is in
    /// flight (its answer may predate the change), the list is dropped instead: the
    /// next reader loads it afresh, while readers already waiting keep the answer that
    /// was current when they asked.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        match current.get() {
            Some(list) => change(&mut list.write().unwrap_or_else(PoisonError::into_inner)),
            None => *current = Arc::new(OnceCell::new()),
        }
    }

    /// Drops the list; the next reader loads it again.
    pub fn invalidate(&self) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Arc::new(OnceCell::new());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::panel::PanelError;

    async fn counting_load(loads: &AtomicUsize, value: Vec<u32>) -> PanelResult<Vec<u32>> {
        loads.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(value)
    }

    #[tokio::test]
    async fn concurrent_readers_share_one_load() {
        let list = SharedList::<Vec<u32>>::default();
        let loads = AtomicUsize::new(0);
        let reads = (0..8).map(|_| list.read(|| counting_load(&loads, vec![1, 2]), Vec::len));
        for read in futures::future::join_all(reads).await {
            assert_eq!(read.unwrap(), 2);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn update_patches_a_loaded_list_and_invalidate_drops_it() {
        let list = SharedList::<Vec<u32>>::default();
        let loads = AtomicUsize::new(0);
        list.read(|| counting_load(&loads, vec![1]), |_| ())
            .await
            .unwrap();
        list.update(|l| l.push(2));
        let seen = list
            .read(|| counting_load(&loads, vec![9]), Clone::clone)
            .await
            .unwrap();
        assert_eq!(seen, vec![1, 2], "patched in place, not loaded again");
        assert_eq!(loads.load(Ordering::SeqCst), 1);

        list.invalidate();
        let seen = list
            .read(|| counting_load(&loads, vec![7]), Clone::clone)
            .await
            .unwrap();
        assert_eq!(seen, vec![7]);
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn update_without_a_loaded_list_makes_the_next_reader_load() {
        let list = SharedList::<Vec<u32>>::default();
        list.update(|l| l.push(5));
        let loads = AtomicUsize::new(0);
        let seen = list
            .read(|| counting_load(&loads, vec![3]), Clone::clone)
            .await
            .unwrap();
        assert_eq!(
            seen,
            vec![3],
            "nothing to patch: the change is not invented"
        );
    }

    #[tokio::test]
    async fn a_failed_load_is_not_kept() {
        let list = SharedList::<u32>::default();
        let failed = list
            .read(|| async { Err(PanelError::transport("down")) }, |n| *n)
            .await;
        assert!(failed.is_err());
        let read = list.read(|| async { Ok(4) }, |n| *n).await.unwrap();
        assert_eq!(read, 4);
    }
}
