//! The budgeted string library (step counting, limits, charging) beside Lua's stock one.
//!
//! Each case runs in two plain Lua states: one with crescent's string library, one with
//! the stock library built from the same sources (`crescent_lua::open_stock_string`).
//! No budget is set, so the figures are the library's own cost. A call runs the operation
//! `REPS` times in a Lua loop; criterion reports the time per operation (element
//! throughput). Run with `cargo bench --bench strlib`.
//!
//! The machine's load drifts between two criterion benchmarks run seconds apart, so the
//! ratios (budgeted / stock) are measured on their own at the end: the two libraries
//! called alternately, the median of the per-round ratios printed per case.

use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mlua::{Function, Lua};

/// Operations per timed call.
const REPS: u64 = 100;

/// About 1 KiB of text: words, punctuation, numbers, a few `key = value` pairs.
fn text() -> String {
    let line =
        "The quick brown fox jumps over the lazy dog, 42 times; speed = fast, mood = calm.\n";
    let mut text = line.repeat(12);
    text.push_str("contact: crescent@example.com, build 2026\n");
    text
}

/// The cases: a name and a Lua function `(s, n)` doing one operation `n` times.
const CASES: &[(&str, &str)] = &[
    (
        "find_plain",
        "local find = string.find
         return function(s, n) for _ = 1, n do find(s, 'crescent@', 1, true) end end",
    ),
    (
        "find_pattern",
        "local find = string.find
         return function(s, n) for _ = 1, n do find(s, '%d%d%d%d') end end",
    ),
    (
        "match_captures",
        "local match = string.match
         return function(s, n) for _ = 1, n do match(s, '(%w+)@(%w+)%.(%a+)') end end",
    ),
    (
        "match_short",
        "local match = string.match
         return function(s, n) for _ = 1, n do match('speed = fast', '^(%w+)%s*=%s*(%w+)$') end end",
    ),
    (
        "gsub_words",
        "local gsub = string.gsub
         return function(s, n) for _ = 1, n do gsub(s, '%a+', '<%0>') end end",
    ),
    (
        "gsub_spaces",
        "local gsub = string.gsub
         return function(s, n) for _ = 1, n do gsub(s, '%s+', ' ') end end",
    ),
];

/// A Lua state whose `string` library (and strings' methods) is the stock one or not.
fn state(stock: bool) -> Lua {
    let lua = Lua::new();
    if stock {
        let string = crescent_lua::open_stock_string(&lua).expect("stock string library");
        lua.globals().set("string", string).expect("set string");
    }
    lua
}

fn case(lua: &Lua, source: &str) -> Function {
    lua.load(source).eval::<Function>().expect("case")
}

fn strlib(c: &mut Criterion) {
    let text = text();
    let budgeted = state(false);
    let stock = state(true);
    for (name, source) in CASES {
        let mut group = c.benchmark_group(format!("strlib/{name}"));
        group.throughput(Throughput::Elements(REPS));
        for (label, lua) in [("budgeted", &budgeted), ("stock", &stock)] {
            let f = case(lua, source);
            let s = lua.create_string(&text).expect("text");
            group.bench_function(BenchmarkId::new(label, text.len()), |b| {
                b.iter(|| f.call::<()>((&s, REPS)).expect("run"))
            });
        }
        group.finish();
    }
}

/// Alternating rounds per case for the ratios.
const ROUNDS: usize = 400;

fn ratios(_: &mut Criterion) {
    let text = text();
    let budgeted = state(false);
    let stock = state(true);
    println!("\nbudgeted / stock, median of {ROUNDS} alternating rounds of {REPS} operations:");
    for (name, source) in CASES {
        let run = |lua: &Lua| {
            let f = case(lua, source);
            let s = lua.create_string(&text).expect("text");
            move || {
                let start = Instant::now();
                f.call::<()>((&s, REPS)).expect("run");
                start.elapsed().as_secs_f64()
            }
        };
        let (b, s) = (run(&budgeted), run(&stock));
        let mut rounds: Vec<f64> = (0..ROUNDS)
            .map(|round| {
                // Either may go first: neither always runs on the other's warm caches.
                let (tb, ts) = if round % 2 == 0 {
                    let tb = b();
                    (tb, s())
                } else {
                    let ts = s();
                    (b(), ts)
                };
                tb / ts
            })
            .collect();
        rounds.sort_by(f64::total_cmp);
        println!("  {name:<16} {:.3}", rounds[ROUNDS / 2]);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = strlib, ratios
}
criterion_main!(benches);
