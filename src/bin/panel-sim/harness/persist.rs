//! `--state FILE`: the panel state saved as the same JSON that `GET /__sim/state`
//! returns (so a dump can be used as a state file and back), written atomically
//! (temp file in the same directory, then rename) so a crash never leaves a
//! half-written file behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The state file plus the last text written, so unchanged state is not rewritten.
#[derive(Debug)]
pub struct StateFile {
    path: PathBuf,
    last_written: Mutex<Option<String>>,
}

impl StateFile {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            last_written: Mutex::new(None),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state, or `None` when the file does not exist yet.
    pub fn load(&self) -> Result<Option<serde_json::Value>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(format!("cannot read {}: {err}", self.path.display())),
        };
        let value = serde_json::from_str(&text)
            .map_err(|err| format!("{} is not valid JSON: {err}", self.path.display()))?;
        *self.lock() = Some(text);
        Ok(Some(value))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.last_written
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    /// Writes `state` unless it is identical to what was last written.
    /// The lock is held across the write so concurrent saves land in order.
    pub fn save(&self, state: &serde_json::Value) -> Result<(), String> {
        let text = serde_json::to_string_pretty(state)
            .map_err(|err| format!("cannot serialise state: {err}"))?;
        let mut last = self.lock();
        if last.as_deref() == Some(text.as_str()) {
            return Ok(());
        }
        write_atomically(&self.path, text.as_bytes())
            .map_err(|err| format!("cannot write {}: {err}", self.path.display()))?;
        *last = Some(text);
        Ok(())
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".panel-sim-state-")
        .tempfile_in(&dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_then_load_round_trips_and_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        assert_eq!(file.load().unwrap(), None);
        let state = serde_json::json!({"users": {"bob": {"email": "b@example.com"}}});
        file.save(&state).unwrap();
        let again = StateFile::new(dir.path().join("state.json"));
        assert_eq!(again.load().unwrap(), Some(state));
    }

    #[test]
    fn corrupt_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{not json").unwrap();
        assert!(StateFile::new(path).load().is_err());
    }
}
