//! The end-of-run report: JSON for machines, a short table for people.

use std::collections::BTreeMap;

use bevy_ecs::world::World;
use crescent_ecs::SpawnCounter;
use crescent_script::{ScriptErrorLog, ScriptStats};
use serde::Serialize;

/// One script error, as the report lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReportedError {
    /// Frame it happened in.
    pub frame: u64,
    /// Entity id (`e:id()`), if any.
    pub entity: Option<u64>,
    /// Script path.
    pub script: String,
    /// Handler event.
    pub event: String,
    /// Message, `file:line: ...`.
    pub message: String,
    /// Lua's stack traceback, when there was one (empty otherwise).
    pub traceback: String,
}

/// GC activity.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct GcReport {
    /// `gc_step` calls.
    pub steps: u64,
    /// Completed cycles.
    pub cycles: u64,
}

/// Whole-frame times (`app.update()` included), in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct FrameTimes {
    /// Median.
    pub median: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest frame.
    pub max: f64,
}

/// What a run did, as `crescent run --report json` prints it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Frames run.
    pub frames: u64,
    /// Live entities.
    pub entities: usize,
    /// Live script instances.
    pub scripts: usize,
    /// Live registry entries.
    pub handlers: usize,
    /// Handler calls.
    pub handler_calls: u64,
    /// Events delivered to handlers.
    pub events_delivered: u64,
    /// Events dropped (dead receivers).
    pub events_dropped: u64,
    /// Script errors (the most recent, up to the log's capacity).
    pub errors: Vec<ReportedError>,
    /// Total script errors, listed or not.
    pub error_count: u64,
    /// Lua heap in use.
    pub lua_memory_bytes: usize,
    /// GC activity.
    pub gc: GcReport,
    /// Frame times.
    pub frame_time_ms: FrameTimes,
}

impl Report {
    /// Collects the report from a world and the frame times measured.
    pub fn collect(world: &mut World, frame_times_ms: &[f64]) -> Self {
        let stats = world
            .get_resource::<ScriptStats>()
            .cloned()
            .unwrap_or_default();
        let log = world
            .get_resource::<ScriptErrorLog>()
            .cloned()
            .unwrap_or_default();
        let entities = world
            .get_resource::<SpawnCounter>()
            .map_or(0, SpawnCounter::live);
        Self {
            frames: frame_times_ms.len() as u64,
            entities,
            scripts: stats.instances,
            handlers: stats.handlers,
            handler_calls: stats.handler_calls,
            events_delivered: stats.events_delivered,
            events_dropped: stats.events_dropped,
            errors: log
                .errors
                .iter()
                .map(|e| ReportedError {
                    frame: e.frame,
                    entity: e.entity.map(|e| e.to_bits()),
                    script: e.script.clone(),
                    event: e.event.clone(),
                    message: e.message.clone(),
                    traceback: e.traceback.clone(),
                })
                .collect(),
            error_count: log.total,
            lua_memory_bytes: stats.lua_memory_bytes,
            gc: GcReport {
                steps: stats.gc_steps,
                cycles: stats.gc_cycles,
            },
            frame_time_ms: frame_times(frame_times_ms),
        }
    }

    /// The report as one JSON object.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The report as a short table a person reads at a glance.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut row = |label: &str, value: String| {
            out.push_str(&format!("  {label:<16} {value}\n"));
        };
        row("frames", self.frames.to_string());
        row("entities", format!("{} live", self.entities));
        row(
            "scripts",
            format!("{} instances, {} handlers", self.scripts, self.handlers),
        );
        row("handler calls", self.handler_calls.to_string());
        row(
            "events",
            format!(
                "{} delivered, {} dropped",
                self.events_delivered, self.events_dropped
            ),
        );
        row(
            "lua memory",
            format!("{:.1} KiB", self.lua_memory_bytes as f64 / 1024.0),
        );
        row(
            "gc",
            format!("{} steps, {} cycles", self.gc.steps, self.gc.cycles),
        );
        row(
            "frame time",
            format!(
                "median {:.3} ms, p99 {:.3} ms, max {:.3} ms",
                self.frame_time_ms.median, self.frame_time_ms.p99, self.frame_time_ms.max
            ),
        );
        row("errors", self.error_count.to_string());
        let mut by_script: BTreeMap<&str, Vec<&ReportedError>> = BTreeMap::new();
        for error in &self.errors {
            by_script
                .entry(error.script.as_str())
                .or_default()
                .push(error);
        }
        for (script, errors) in by_script {
            out.push_str(&format!("    {script}: {} error(s)\n", errors.len()));
            for error in errors.iter().take(3) {
                out.push_str(&format!(
                    "      frame {} ({}): {}\n",
                    error.frame, error.event, error.message
                ));
            }
        }
        out
    }
}

fn frame_times(times: &[f64]) -> FrameTimes {
    if times.is_empty() {
        return FrameTimes {
            median: 0.0,
            p99: 0.0,
            max: 0.0,
        };
    }
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() - 1) as f64 * q).round() as usize];
    FrameTimes {
        median: at(0.5),
        p99: at(0.99),
        max: sorted[sorted.len() - 1],
    }
}
