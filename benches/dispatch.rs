//! Dispatch, budget and event delivery, each beside its raw-mlua baselines.
//!
//! Run with `cargo bench --bench dispatch`; figures per handler call come from the
//! element throughput (criterion prints time per element).

mod support;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn dispatch(c: &mut Criterion) {
    let dir = support::assets(&[("mover.lua", support::MOVER)]);
    let mut group = c.benchmark_group("dispatch");
    for n in [1_000usize, 10_000, 100_000] {
        group.throughput(Throughput::Elements(n as u64));
        let mut game = support::movers(dir.path(), n, |_| {});
        group.bench_function(BenchmarkId::new("crescent_frame", n), |b| {
            b.iter(|| game.app.update())
        });
        drop(game);
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
    let mut on = support::movers(dir.path(), n, |_| {});
    group.bench_function(BenchmarkId::new("budget_on", n), |b| {
        b.iter(|| on.app.update())
    });
    drop(on);
    let mut off = support::movers(dir.path(), n, |c| {
        c.script.budget = crescent::script::ScriptBudget::Unlimited
    });
    group.bench_function(BenchmarkId::new("budget_off", n), |b| {
        b.iter(|| off.app.update())
    });
    drop(off);
    let mut idle = support::game(dir.path(), |_| {});
    group.bench_function(BenchmarkId::new("empty_frame", n), |b| {
        b.iter(|| idle.app.update())
    });
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
