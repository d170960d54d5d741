//! Errors: typed load and API errors ([`CrescentError`]), stale keys ([`StaleKey`]), the
//! budget's [`BudgetExceeded`], and the [`ScriptError`] report every caught failure becomes.
//!
//! [`split_lua_error`] is the one place an mlua error is cut into message and traceback.

use std::time::Duration;

use bevy_ecs::{entity::Entity, message::Message};
use serde::Serialize;

/// What went wrong loading a script or serving a Lua API call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CrescentError {
    /// The script file does not exist under the assets root.
    #[error("script not found: '{path}' (looked for {resolved})")]
    ScriptNotFound {
        /// Path as the caller wrote it.
        path: String,
        /// Where it was looked for on disk.
        resolved: String,
    },
    /// The script path is absolute, escapes the assets root, or is otherwise unusable.
    #[error("invalid script path '{path}': {reason}")]
    BadPath {
        /// Path as the caller wrote it.
        path: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The file could not be read.
    #[error("cannot read script '{path}': {source}")]
    Io {
        /// Path relative to the assets root.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file does not compile; the message starts with `file:line:`.
    #[error("{message}")]
    Syntax {
        /// Lua's message, `file:line: ...`.
        message: String,
    },
    /// Running the file raised an error.
    #[error("{path}: error while loading: {message}")]
    LoadFailed {
        /// Path relative to the assets root.
        path: String,
        /// Lua's message.
        message: String,
    },
    /// The file ran but did not return a table of handlers.
    #[error("{path}: a script must return a table of handlers, but it returned {got}")]
    NotATable {
        /// Path relative to the assets root.
        path: String,
        /// Lua type name of what it returned.
        got: String,
    },
    /// A lifecycle handler field holds something other than a function.
    #[error("{path}: handler '{field}' must be a function, but it is a {got}")]
    HandlerNotFunction {
        /// Path relative to the assets root.
        path: String,
        /// The field name.
        field: String,
        /// Lua type name of its value.
        got: String,
    },
    /// No component is registered for scripts under this name.
    #[error("unknown component '{name}' (known components: {known})")]
    UnknownComponent {
        /// The name asked for.
        name: String,
        /// Registered names, comma-separated.
        known: String,
    },
    /// A component value from Lua does not fit the component's Rust type.
    #[error("bad value for component {component}{}: {message}", field_suffix(.field))]
    BadComponentValue {
        /// Component name.
        component: String,
        /// Dotted path of the offending field, empty for the whole value.
        field: String,
        /// What was wrong with it.
        message: String,
    },
    /// The entity was despawned (or is being despawned).
    #[error("{what}: entity {entity} is despawned")]
    Despawned {
        /// The operation attempted.
        what: &'static str,
        /// The entity.
        entity: Entity,
    },
    /// The world is not reachable at this point (Lua code running outside a frame phase).
    #[error(
        "the world is not accessible here (is this running outside a frame or inside a finalizer?)"
    )]
    WorldUnavailable,
    /// The world has no [`ScriptRuntime`](crate::ScriptRuntime): the plugin was not added or failed.
    #[error("no script runtime in this world (add ScriptingPlugin to the app)")]
    NoRuntime,
    /// The runtime was dropped while Lua code still held on to one of its functions.
    #[error("the script runtime is shut down")]
    RuntimeClosed,
    /// Script input larger than a configured limit (see [`ScriptConfig`](crate::ScriptConfig)).
    #[error("{what}: {size} exceeds the limit {limit} = {max}")]
    TooLarge {
        /// What was refused, e.g. `event name 'abc...'`.
        what: String,
        /// How large it was (`5000 bytes`, `65537 names`, ...).
        size: String,
        /// The limit's name: a `ScriptConfig` field.
        limit: &'static str,
        /// The limit's value.
        max: usize,
    },
    /// A lifecycle handler name used as an event name.
    #[error(
        "{what}: '{name}' is a lifecycle handler, not an event; it cannot be sent or broadcast"
    )]
    LifecycleEvent {
        /// The operation: `e:send`, `world.broadcast`, a `ToScripts` from Rust.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A key that does not resolve in this runtime.
    #[error(transparent)]
    Stale(#[from] StaleKey),
    /// A Lua-side error not covered above.
    #[error(transparent)]
    Lua(#[from] mlua::Error),
}

fn field_suffix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!(", field '{field}'")
    }
}

impl From<CrescentError> for mlua::Error {
    fn from(err: CrescentError) -> Self {
        match err {
            CrescentError::Lua(inner) => inner,
            other => mlua::Error::RuntimeError(other.to_string()),
        }
    }
}

/// Why a handler or instance key does not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StaleKey {
    /// The key was issued by another runtime: this one was reset or rebuilt since.
    #[error("stale key: it was issued by another script runtime (reset or rebuilt since)")]
    OtherRuntime,
    /// The handler or instance was removed (entity despawned, script detached or reloaded).
    #[error("stale key: its handler was removed (entity despawned or script detached)")]
    Removed,
}

/// The error raised when a call, or a frame's calls, run past the
/// [`ScriptBudget`](crate::ScriptBudget); `pcall` cannot catch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetExceeded {
    /// One call ran more instructions than allowed.
    #[error("instruction budget exceeded ({0} instructions)")]
    Instructions(u64),
    /// One call used more CPU time than allowed.
    #[error("time budget exceeded ({} ms of CPU time)", .0.as_millis())]
    Time(Duration),
    /// The frame's calls together ran more instructions than allowed.
    #[error("frame budget exceeded ({0} instructions per frame)")]
    FrameInstructions(u64),
    /// The frame's calls together used more CPU time than allowed.
    #[error("frame budget exceeded ({} ms of CPU time per frame)", .0.as_millis())]
    FrameTime(Duration),
}

/// Whether an error must not be caught by script code (an exceeded budget).
pub(crate) fn is_fatal(err: &mlua::Error) -> bool {
    match err {
        mlua::Error::ExternalError(inner) => inner.downcast_ref::<BudgetExceeded>().is_some(),
        mlua::Error::CallbackError { cause, .. } | mlua::Error::WithContext { cause, .. } => {
            is_fatal(cause)
        }
        _ => false,
    }
}

/// A script failure, caught and reported; the world goes on.
///
/// Sent as a bevy message, logged, kept in [`ScriptErrorLog`](crate::ScriptErrorLog) and
/// counted in [`ScriptStats`](crate::ScriptStats).
#[derive(Message, Debug, Clone, PartialEq, Serialize)]
pub struct ScriptError {
    /// Frame in which it happened (0 before the first frame).
    pub frame: u64,
    /// The entity whose script failed, if any.
    #[serde(serialize_with = "serialize_entity")]
    pub entity: Option<Entity>,
    /// Script path relative to the assets root.
    pub script: String,
    /// The handler's event name (`init`, `update`, a custom event, ...).
    pub event: String,
    /// The error message, `file:line: ...` when Lua knows the place.
    pub message: String,
    /// Lua's stack traceback, when there is one.
    pub traceback: String,
}

fn serialize_entity<S: serde::Serializer>(
    entity: &Option<Entity>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match entity {
        Some(e) => s.serialize_u64(e.to_bits()),
        None => s.serialize_none(),
    }
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[frame {}] {} ({})", self.frame, self.script, self.event)?;
        if let Some(entity) = self.entity {
            write!(f, " on entity {entity}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Splits an mlua error into its message and the traceback Lua appended to it.
pub(crate) fn split_lua_error(err: &mlua::Error) -> (String, String) {
    let text = match err {
        mlua::Error::CallbackError { traceback, cause } => {
            // One traceback format whatever the error: without Lua's header line.
            let traceback = traceback
                .strip_prefix("stack traceback:\n")
                .unwrap_or(traceback);
            return (locate(root_cause(cause), traceback), traceback.to_owned());
        }
        mlua::Error::RuntimeError(text) | mlua::Error::MemoryError(text) => text.clone(),
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::WithContext { context, cause } => {
            let (message, traceback) = split_lua_error(cause);
            return (format!("{context}: {message}"), traceback);
        }
        other => other.to_string(),
    };
    let (message, traceback) = match text.split_once("\nstack traceback:\n") {
        Some((message, traceback)) => (message.to_string(), traceback.to_string()),
        None => (text, String::new()),
    };
    (describe_error_object(message), traceback)
}

/// The chunk name of Lua code crescent runs itself (the dispatch loop, entity methods,
/// `task.wait`...): tracebacks show it as `crescent:<name>:<line>`, and error locations
/// skip it to name the script line that called into the API.
pub(crate) fn internal_chunk(name: &str) -> String {
    format!("={INTERNAL}{name}")
}

const INTERNAL: &str = "crescent:";

/// An error raised from Rust inside an API call carries no place: prefix the script line
/// that made the call (the first traceback frame in a script) and, where the traceback
/// names it, the API function (`file:line: broadcast: bad argument #1 ...`).
fn locate(message: String, traceback: &str) -> String {
    if has_location(&message) {
        return message;
    }
    let mut api: Option<&str> = None;
    for line in traceback.lines() {
        let Some((place, what)) = line.trim_start().split_once(": in ") else {
            continue;
        };
        if place.starts_with('[') || place.starts_with(INTERNAL) {
            api = called_name(what).or(api);
            continue;
        }
        // A Lua frame reads `chunk:line`; anything else (a Rust location) is no place.
        if !is_place(place) {
            continue;
        }
        return match api {
            Some(name) if !message.contains(name) => format!("{place}: {name}: {message}"),
            _ => format!("{place}: {message}"),
        };
    }
    message
}

/// Whether `text` is a Lua source place: `chunk:line`.
fn is_place(text: &str) -> bool {
    text.rsplit_once(':').is_some_and(|(chunk, line)| {
        !chunk.is_empty()
            && !chunk.contains(':')
            && !line.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The name in a traceback's `in field 'x'`, `in method 'x'` or `in function 'x'`.
fn called_name(what: &str) -> Option<&str> {
    ["field '", "method '", "function '"]
        .iter()
        .find_map(|kind| what.strip_prefix(kind)?.strip_suffix('\''))
}

/// Whether a message starts with `file:line:`.
fn has_location(message: &str) -> bool {
    message.split_once(": ").is_some_and(|(head, _)| {
        head.rsplit_once(':').is_some_and(|(file, line)| {
            !file.is_empty() && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
        })
    })
}

/// An error raised with a table or userdata reads `table: 0x55d...`: an address that
/// changes every run. Say what it was instead, as the standalone `lua` does.
fn describe_error_object(message: String) -> String {
    if message == "nil" {
        return "(error object is a nil value)".to_owned();
    }
    for kind in ["table", "userdata", "function", "thread"] {
        if let Some(address) = message
            .strip_prefix(kind)
            .and_then(|rest| rest.strip_prefix(": 0x"))
            && !address.is_empty()
            && address.chars().all(|c| c.is_ascii_hexdigit())
        {
            return format!("(error object is a {kind} value)");
        }
    }
    message
}

fn root_cause(err: &mlua::Error) -> String {
    match err {
        mlua::Error::CallbackError { cause, .. } => root_cause(cause),
        other => split_lua_error(other).0,
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
