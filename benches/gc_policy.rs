//! GC policies under garbage: frame-time median and p99 over 600 frames with ~150 KB of
//! garbage per frame on a live heap, per policy; frame time over a long run of 10k movers,
//! to show it stays flat; and the churn soak (50 scripted entities spawned and despawned
//! per frame for 100,000 frames) with Lua memory and handler count along the way.
//! Prints tables; run with `cargo bench --bench gc_policy`.

mod support;

use std::time::Instant;

use crescent::script::{GcKind, GcPolicy};

const LITTER: &str = r#"
local M = {}
function M.init(self) self.state = {} for i = 1, 20 do self.state[i] = { i, tostring(i) } end end
function M.update(self, dt)
  if self.litter then
    for i = 1, 1500 do local t = { i, i + 1, i + 2 } end
  end
end
return M
"#;

fn frame_times(game: &mut crescent::game::Game, frames: usize) -> Vec<f64> {
    (0..frames)
        .map(|_| {
            let start = Instant::now();
            game.app.update();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn summarize(times: &[f64]) -> (f64, f64, f64) {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    (
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        sorted[sorted.len() - 1],
    )
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent; keep that fast.
    let quick = !std::env::args().any(|a| a == "--bench");
    let frames = if quick { 30 } else { 600 };
    let dir = support::assets(&[("litter.lua", LITTER), ("mover.lua", support::MOVER)]);
    let policies = [
        (
            "lua default (incremental, no steps)",
            GcPolicy::lua_default(),
        ),
        ("generational, 1 step/frame (default)", GcPolicy::default()),
        (
            "incremental, 1 step/frame",
            GcPolicy {
                mode: GcKind::Incremental,
                ..GcPolicy::default()
            },
        ),
        (
            "generational, 1 step/frame, full collect every 600",
            GcPolicy {
                full_collect_every: Some(600),
                ..GcPolicy::default()
            },
        ),
    ];
    println!("gc_policy: {frames} frames, 2000 live instances, one littering ~150 KB/frame");
    println!(
        "{:<52} {:>10} {:>10} {:>10} {:>9}",
        "policy", "median ms", "p99 ms", "max ms", "p99/med"
    );
    for (name, policy) in policies {
        let mut game = support::game(dir.path(), |c| c.script.gc = policy);
        support::exec(
            &mut game,
            "for i = 1, 2000 do world.spawn{ script = 'litter.lua' } end
             world.spawn{ script = 'litter.lua', props = { litter = true } }",
        );
        game.step();
        let _ = frame_times(&mut game, frames / 10);
        let (median, p99, max) = summarize(&frame_times(&mut game, frames));
        println!(
            "{name:<52} {median:>10.3} {p99:>10.3} {max:>10.3} {:>9.2}",
            p99 / median
        );
    }

    soak(if quick { 600 } else { 100_000 });

    let n = if quick { 1_000 } else { 10_000 };
    let long = if quick { 60 } else { 3_000 };
    let mut game = support::movers(dir.path(), n, |_| {});
    let times = frame_times(&mut game, long);
    let window = long / 10;
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let (first, last) = (mean(&times[..window]), mean(&times[long - window..]));
    println!(
        "long run: {n} movers, {long} frames: first {window} frames {first:.3} ms/frame, last {window} {last:.3} ms/frame (ratio {:.2}), lua memory {} KiB",
        last / first,
        support::lua_memory(&mut game, false) / 1024
    );
}

/// Churn: 50 scripted entities a frame, each with a task, an event and a despawn.
fn soak(frames: usize) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
    let mut game = support::game(&root, |_| {});
    support::exec(
        &mut game,
        "world.spawn{ script = 'testing/churn_driver.lua', props = { per_frame = 50 } }",
    );
    println!("soak: 50 spawned and despawned per frame, {frames} frames");
    println!(
        "{:>8} {:>12} {:>9} {:>10} {:>7} {:>11}",
        "frame", "lua KiB", "handlers", "instances", "tasks", "ms/frame"
    );
    let checkpoints = [300, frames / 10, frames / 2, frames];
    let mut last = 0;
    let start = Instant::now();
    for checkpoint in checkpoints {
        let t0 = Instant::now();
        for _ in last..checkpoint {
            game.app.update();
        }
        let per_frame = t0.elapsed().as_secs_f64() * 1000.0 / (checkpoint - last).max(1) as f64;
        last = checkpoint;
        let stats = game.app.world().resource::<crescent::script::ScriptStats>();
        println!(
            "{checkpoint:>8} {:>12} {:>9} {:>10} {:>7} {per_frame:>11.3}",
            stats.lua_memory_bytes / 1024,
            stats.handlers,
            stats.instances,
            stats.tasks
        );
    }
    println!("soak took {:.1} s", start.elapsed().as_secs_f64());
}
