//! How a runtime is set up: [`ScriptConfig`], the budget and the GC policy it carries.

use std::{path::PathBuf, time::Duration};

/// How a [`ScriptRuntime`](crate::ScriptRuntime) is set up.
///
/// It is also the Bevy plugin: [`ScriptingPlugin`](crate::ScriptingPlugin) names this type,
/// and the plugin keeps the configuration it built with as this resource (assets root
/// resolved).
///
/// ```
/// use crescent_script::ScriptConfig;
///
/// let config = ScriptConfig { assets_root: "game/assets".into(), ..Default::default() };
/// assert_eq!(config.max_events_per_frame, 100_000);
/// ```
#[derive(Clone, Debug, PartialEq, bevy_ecs::resource::Resource)]
pub struct ScriptConfig {
    /// Folder that script paths and `require` resolve against.
    pub assets_root: PathBuf,
    /// When and how much the Lua garbage collector runs.
    pub gc: GcPolicy,
    /// How many errors [`ScriptErrorLog`](crate::ScriptErrorLog) keeps (all are counted).
    pub error_log_capacity: usize,
    /// How long one call (a handler, `init`, a task resume, a script's top level) and one
    /// frame's calls together may run: CPU time by default, instructions for lockstep games.
    pub budget: ScriptBudget,
    /// Bytes the Lua state may allocate; `None` for no limit.
    pub memory_limit: Option<usize>,
    /// Disable (remove) a handler after this many errors in a row, reported once.
    pub disable_after_errors: Option<u32>,
    /// Log a recurring error (same script and event) at most once per this many frames.
    pub log_every_frames: u64,
    /// Watch the assets root and hot-reload changed scripts.
    pub watch: bool,
    /// Events delivered per frame at most; the rest wait for the next frame.
    pub max_events_per_frame: usize,
    /// Rounds of `init` per frame: an `init` that spawns entities whose `init` spawns more
    /// is run again up to this many times in the same frame; the rest wait a frame.
    pub max_init_rounds: usize,
    /// Bytes a name from script input may have: event names (`e:send`, `world.broadcast`,
    /// `self:on`, handler fields), `world.emit` names and entity names (`world.spawn`'s
    /// `name`). Longer names are refused with an error naming this limit.
    pub max_name_bytes: usize,
    /// Distinct event names a runtime interns (names with a handler: script fields and
    /// `self:on`). Each id is a `u32`, so this is also what keeps ids from wrapping.
    pub max_event_names: usize,
    /// Events waiting in the queue at most; sending beyond it is an error and the event is
    /// dropped (and counted).
    pub max_queued_events: usize,
    /// Bytes a `world.emit` payload may take once converted for Rust (its JSON size).
    pub max_payload_bytes: usize,
    /// Bytes of `world.emit` payloads and names per frame, all scripts together.
    pub max_emit_bytes_per_frame: usize,
    /// Bytes of a reported error's message, and separately of its traceback; the rest is
    /// cut off (the text says so).
    pub max_error_bytes: usize,
    /// Bytes of source a chunk given to `load` may have (a string or a reader's pieces).
    pub max_source_bytes: usize,
}

impl Default for ScriptConfig {
    fn default() -> Self {
        Self {
            assets_root: PathBuf::from("assets"),
            gc: GcPolicy::default(),
            error_log_capacity: 1000,
            budget: ScriptBudget::default(),
            memory_limit: Some(512 * 1024 * 1024),
            disable_after_errors: None,
            log_every_frames: 60,
            max_events_per_frame: 100_000,
            watch: false,
            max_init_rounds: 16,
            max_name_bytes: 1024,
            max_event_names: 65_536,
            max_queued_events: 1_000_000,
            max_payload_bytes: 1024 * 1024,
            max_emit_bytes_per_frame: 64 * 1024 * 1024,
            max_error_bytes: 16 * 1024,
            max_source_bytes: 16 * 1024 * 1024,
        }
    }
}

/// How much a call, and a frame's calls together, may run before they are stopped with
/// [`BudgetExceeded`](crate::BudgetExceeded) (a reported error `pcall` cannot catch).
///
/// Every Lua thread counts: coroutines a call resumes, tasks and `coroutine.wrap` trees
/// run under the same limit as the call that started them.
///
/// ```
/// use std::time::Duration;
/// use crescent_script::{ScriptBudget, ScriptConfig};
///
/// // Lockstep multiplayer: a limit that does not depend on the machine.
/// let config = ScriptConfig {
///     budget: ScriptBudget::Instructions { per_call: 1_000_000, per_frame: Some(50_000_000) },
///     ..Default::default()
/// };
/// assert!(matches!(ScriptConfig::default().budget, ScriptBudget::Time { .. }));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScriptBudget {
    /// CPU time (of the thread running Lua, not wall time). Costs nothing while calls stay
    /// within it: a watchdog thread notices an overrun and only then is a VM hook set.
    /// Linux only; elsewhere it falls back to [`Instructions`](Self::Instructions) at
    /// [`ScriptBudget::FALLBACK_INSTRUCTIONS`] per call.
    Time {
        /// CPU time one call may use (one handler, even inside a dispatch loop).
        per_call: Duration,
        /// CPU time all of a frame's calls may use together, as the watchdog samples it.
        per_frame: Option<Duration>,
    },
    /// VM instructions, counted by a hook every 1,000: the same call stops at the same
    /// place on every machine (lockstep games, replays), at about 1.9x the cost of
    /// dispatch without a budget (Lua traps every instruction while a count hook is set).
    Instructions {
        /// Instructions one call may run.
        per_call: u64,
        /// Instructions all of a frame's calls may run together.
        per_frame: Option<u64>,
    },
    /// No limit: a script with an endless loop hangs the game.
    Unlimited,
}

impl ScriptBudget {
    /// Instructions per call where [`ScriptBudget::Time`] is not supported.
    pub const FALLBACK_INSTRUCTIONS: u64 = 10_000_000;
}

impl Default for ScriptBudget {
    /// 50 ms of CPU time per call, 1 s per frame (a loading frame that attaches 100,000
    /// scripts runs about 0.3 s of `init`s).
    fn default() -> Self {
        ScriptBudget::Time {
            per_call: Duration::from_millis(50),
            per_frame: Some(Duration::from_secs(1)),
        }
    }
}

/// Which collector Lua runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum GcKind {
    /// Lua 5.4's generational collector: cheap minor collections, steady frame times.
    Generational,
    /// Lua's incremental collector (Lua's own default).
    Incremental,
}

/// When and how much the GC system collects.
///
/// The default, generational with one step per frame, kept frame-time p99 at 0.23 ms where
/// Lua's default incremental mode reached 9.3 ms under 150 KB of garbage per frame.
///
/// ```
/// use crescent_script::{GcKind, GcPolicy};
///
/// let every_second = GcPolicy { full_collect_every: Some(60), ..GcPolicy::default() };
/// assert_eq!(every_second.mode, GcKind::Generational);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GcPolicy {
    /// Collector mode.
    pub mode: GcKind,
    /// Run the GC system every this many frames; 0 leaves collection to Lua entirely.
    pub period_frames: u32,
    /// `gc_step` calls per run.
    pub steps: u32,
    /// Also run a full collection every this many frames.
    pub full_collect_every: Option<u32>,
    /// Run a full collection once the script instances removed since the last one reach
    /// this fraction of the live instances (at least one).
    ///
    /// Generational minor steps never free old objects, so without this a despawned
    /// entity's `self` (and any `Rc` a userdata in it holds) could stay until the heap
    /// doubles. Tying full collections to releases keeps their cost proportional to churn.
    pub collect_after_release: Option<f32>,
}

impl Default for GcPolicy {
    fn default() -> Self {
        Self {
            mode: GcKind::Generational,
            period_frames: 1,
            steps: 1,
            full_collect_every: None,
            collect_after_release: Some(0.25),
        }
    }
}

impl GcPolicy {
    /// Lua's own behaviour: incremental mode, no steps from the runtime.
    pub fn lua_default() -> Self {
        Self {
            mode: GcKind::Incremental,
            period_frames: 0,
            steps: 0,
            full_collect_every: None,
            collect_after_release: None,
        }
    }
}
