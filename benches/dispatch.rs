//! Dispatch, budget and event delivery, each beside its raw-mlua baselines.
//!
//! Run with `cargo bench --bench dispatch`; figures per handler call come from the
//! element throughput (criterion prints time per element).
//!
//! - `dispatch`: whole frames at 1k/10k/100k with the default (time) budget and with the
//!   instruction budget, beside raw mlua `Vec<Function>` and a pure-Lua loop.
//! - `budget`: the frame at 10k under each [`ScriptBudget`], and an empty frame.
//! - `events`: 10k `e:send` / `world.broadcast` per frame.

mod support;

use crescent::script::ScriptBudget;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// The instruction mode as the issue benches it: 1,000,000 per call, no frame cap.
fn instructions(config: &mut crescent::game::GameConfig) {
    config.script.budget = ScriptBudget::Instructions {
        per_call: 1_000_000,
        per_frame: None,
    };
}

fn unlimited(config: &mut crescent::game::GameConfig) {
    config.script.budget = ScriptBudget::Unlimited;
}

/// Times whole frames of `game`, after checking it runs its scripts without error.
fn bench_frames(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    n: usize,
    mut game: crescent::game::Game,
) {
    group.bench_function(BenchmarkId::new(name, n), |b| b.iter(|| game.app.update()));
    support::assert_no_script_errors(&game, &format!("{name}/{n}"));
}

fn dispatch(c: &mut Criterion) {
    let dir = support::assets(&[("mover.lua", support::MOVER)]);
    let mut group = c.benchmark_group("dispatch");
    for n in [1_000usize, 10_000, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        // One game alive at a time: two 100k worlds would time each other's GC pressure.
        let game = support::movers(dir.path(), n, |_| {});
        bench_frames(&mut group, "crescent_frame", n, game);
        let game = support::movers(dir.path(), n, instructions);
        bench_frames(&mut group, "crescent_frame_instructions", n, game);
        let raw = support::Raw::new(n, "update");
        group.bench_function(BenchmarkId::new("raw_mlua_vec_function", n), |b| {
            b.iter(|| {
                for (f, this) in &raw.calls {
                    f.call::<()>((this, black_box(1.0 / 60.0))).expect("call");
                }
            })
        });
        let looped = raw.lua_loop();
        group.bench_function(BenchmarkId::new("pure_lua_loop", n), |b| {
            b.iter(|| {
                looped
                    .call::<()>((&raw.fns, &raw.selves, n, black_box(1.0 / 60.0)))
                    .expect("loop")
            })
        });
    }
    group.finish();
}

fn budget(c: &mut Criterion) {
    let dir = support::assets(&[("mover.lua", support::MOVER)]);
    let n = 10_000usize;
    let mut group = c.benchmark_group("budget");
    group.throughput(Throughput::Elements(n as u64));
    let game = support::movers(dir.path(), n, |_| {});
    bench_frames(&mut group, "time_default", n, game);
    let game = support::movers(dir.path(), n, instructions);
    bench_frames(&mut group, "instructions", n, game);
    let game = support::movers(dir.path(), n, unlimited);
    bench_frames(&mut group, "unlimited", n, game);
    let game = support::game(dir.path(), |_| {});
    bench_frames(&mut group, "empty_frame", n, game);
    group.finish();
}

const SENDER: &str = r#"
local M = {}
function M.init(self) self.targets = {} for e in world.query("Position") do self.targets[#self.targets + 1] = e end end
function M.update(self, dt) for i = 1, #self.targets do self.targets[i]:send("ping", 1) end end
return M
"#;

const BROADCASTER: &str = r#"
return { update = function(self, dt) for i = 1, 10000 do world.broadcast("tick", 1) end end,
         tick = function(self, payload) end }
"#;

fn events(c: &mut Criterion) {
    let n = 10_000usize;
    let dir = support::assets(&[
        ("mover.lua", support::MOVER),
        ("sender.lua", SENDER),
        ("broadcaster.lua", BROADCASTER),
    ]);
    let mut group = c.benchmark_group("events");
    group.throughput(Throughput::Elements(n as u64));
    let mut game = support::game(dir.path(), |_| {});
    support::exec(
        &mut game,
        &format!(
            "for i = 1, {n} do world.spawn{{ script = 'mover.lua', Position = {{}} }} end
             world.spawn{{ script = 'sender.lua' }}"
        ),
    );
    game.step();
    game.step();
    group.bench_function(BenchmarkId::new("crescent_send_10k_per_frame", n), |b| {
        b.iter(|| game.app.update())
    });
    drop(game);
    let mut game = support::game(dir.path(), |_| {});
    support::exec(&mut game, "world.spawn{ script = 'broadcaster.lua' }");
    game.step();
    group.bench_function(
        BenchmarkId::new("crescent_broadcast_10k_per_frame", n),
        |b| b.iter(|| game.app.update()),
    );
    drop(game);
    let raw = support::Raw::new(n, "ping");
    group.bench_function(BenchmarkId::new("raw_mlua_vec_function", n), |b| {
        b.iter(|| {
            for (f, this) in &raw.calls {
                f.call::<()>((this, black_box(1.0), mlua::Value::Nil))
                    .expect("call");
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = dispatch, budget, events
}
criterion_main!(benches);
