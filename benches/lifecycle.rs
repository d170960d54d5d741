//! Attach (spawn with a script, `init`) and despawn (cleanup and `final`) per instance,
//! beside the raw-mlua work they wrap; plus Lua heap bytes per instance.

mod support;

use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mlua::{Function, Table};

const BATCH: usize = 1_000;

fn attach(c: &mut Criterion) {
    let dir = support::assets(&[("mover.lua", support::MOVER)]);
    report_heap_per_instance(dir.path());
    let mut group = c.benchmark_group("attach");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(BenchmarkId::new("crescent_spawn_and_init", BATCH), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut game = support::game(dir.path(), |_| {});
                game.step();
                let start = Instant::now();
                support::exec(
                    &mut game,
                    &format!("for i = 1, {BATCH} do world.spawn{{ script = 'mover.lua', props = {{ speed = i }} }} end"),
                );
                game.step();
                total += start.elapsed();
            }
            total
        })
    });
    let raw = support::Raw::new(1, "init");
    let init: Function = raw.calls[0].0.clone();
    group.bench_function(BenchmarkId::new("raw_mlua_table_and_init", BATCH), |b| {
        b.iter(|| {
            for i in 0..BATCH {
                let this: Table = raw.lua.create_table().expect("table");
                this.raw_set("speed", i).expect("set");
                init.call::<()>(&this).expect("init");
            }
        })
    });
    group.finish();
}

/// Lua heap per instance: memory after spawning 10k instances, less before, over 10k.
fn report_heap_per_instance(dir: &std::path::Path) {
    let n = 10_000;
    let mut game = support::game(dir, |_| {});
    game.step();
    let before = support::lua_memory(&mut game, true);
    support::exec(
        &mut game,
        &format!("for i = 1, {n} do world.spawn{{ script = 'mover.lua' }} end"),
    );
    game.step();
    let after = support::lua_memory(&mut game, true);
    println!(
        "attach/heap_bytes_per_instance: {} bytes ({} instances, {} -> {} bytes)",
        (after - before) / n,
        n,
        before,
        after
    );
}

fn despawn(c: &mut Criterion) {
    let dir = support::assets(&[("mover.lua", support::MOVER), ("bag.lua", "return {}")]);
    let mut group = c.benchmark_group("despawn");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function(BenchmarkId::new("crescent_despawn_cleanup_final", BATCH), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut game = support::game(dir.path(), |_| {});
                support::exec(
                    &mut game,
                    &format!("local bag = require('bag') for i = 1, {BATCH} do bag[i] = world.spawn{{ script = 'mover.lua' }} end"),
                );
                game.step();
                let start = Instant::now();
                support::exec(
                    &mut game,
                    "local bag = require('bag') for i = 1, #bag do bag[i]:despawn() bag[i] = nil end",
                );
                game.step();
                total += start.elapsed();
            }
            total
        })
    });
    let raw = support::Raw::new(BATCH, "final");
    group.bench_function(BenchmarkId::new("raw_mlua_final_calls", BATCH), |b| {
        b.iter(|| {
            for (f, this) in &raw.calls {
                f.call::<()>(this).expect("final");
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3));
    targets = attach, despawn
}
criterion_main!(benches);
