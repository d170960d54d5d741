//! The file watcher behind `--watch`: changed `.lua` files under the assets root are
//! reloaded at the start of the next frame.

use std::{
    path::{Path, PathBuf},
    sync::mpsc::{Receiver, channel},
    time::Duration,
};

use notify_debouncer_mini::{
    DebounceEventResult, Debouncer, new_debouncer, notify::RecommendedWatcher,
    notify::RecursiveMode,
};

use crate::data::error::CrescentError;

/// How long a file must be quiet before its change is reported (editors write in bursts).
const DEBOUNCE: Duration = Duration::from_millis(50);

/// A debounced watcher on the assets root, kept by the plugin as a non-send resource
/// when watching is configured.
pub(crate) struct ScriptWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
    events: Receiver<DebounceEventResult>,
    root: PathBuf,
}

impl ScriptWatcher {
    /// Starts watching `root` recursively.
    pub(crate) fn start(root: &Path) -> Result<Self, CrescentError> {
        let root = root.canonicalize().map_err(|source| CrescentError::Io {
            path: root.display().to_string(),
            source,
        })?;
        let (tx, events) = channel();
        let mut debouncer = new_debouncer(DEBOUNCE, tx).map_err(watch_error)?;
        debouncer
            .watcher()
            .watch(&root, RecursiveMode::Recursive)
            .map_err(watch_error)?;
        Ok(Self {
            _debouncer: debouncer,
            events,
            root,
        })
    }

    /// Changed `.lua` files since the last call, relative to the root, sorted, unique.
    pub(crate) fn changed(&self) -> Vec<String> {
        let mut changed: Vec<String> = self
            .events
            .try_iter()
            .filter_map(Result::ok)
            .flatten()
            .filter_map(|event| {
                let path = event.path.canonicalize().unwrap_or(event.path);
                let relative = path.strip_prefix(&self.root).ok()?;
                let is_lua = relative.extension().is_some_and(|ext| ext == "lua");
                (is_lua && path.is_file()).then(|| relative.to_string_lossy().replace('\\', "/"))
            })
            .collect();
        changed.sort();
        changed.dedup();
        changed
    }
}

fn watch_error(err: impl std::fmt::Display) -> CrescentError {
    CrescentError::Lua(mlua::Error::runtime(format!(
        "cannot watch the assets folder: {err}"
    )))
}
