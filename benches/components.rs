//! Component access from scripts (`e:get`, `e:set`, `world.query`), each beside its
//! raw-mlua and plain-Rust baselines in the same criterion group.
//!
//! Run with `cargo bench --bench components`; figures per entity come from the element
//! throughput (criterion prints time per element). The bar is `raw_mlua_number_callbacks`:
//! a plain mlua state reading and writing the same data through Rust callbacks that pass
//! numbers, called from one Lua loop. `pure_lua_api_floor` is the same script over a `get`
//! and `set` written in plain Lua with crescent's semantics (a fresh table per `get`, keys
//! checked by `set`): what the API costs before any Rust is crossed.

mod support;

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;

use bevy_ecs::{component::Component, schedule::Schedule, system::Query, world::World};
use bevy_transform::components::Transform;
use crescent::script::AttachScripts;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mlua::{Function, Lua, Table};

/// The script every entity runs in the `components` group.
const COMPONENTS: &str = r#"
local M = {}
function M.update(self, dt)
  local p = self.entity:get("Position")
  local v = self.entity:get("Velocity")
  if p.x > 100000 then v.x = -v.x end
  self.entity:set("Velocity", v)
end
return M
"#;

/// The one script of the `query` group: sums `Position.x` over every entity with one.
const QUERY: &str = r#"
local M = {}
function M.update(self, dt)
  local s = 0
  for e in world.query("Position") do s = s + e:get("Position").x end
  self.sum = s
end
return M
"#;

/// The script every entity runs in the `transform` group.
const TRANSFORM: &str = r#"
local M = {}
function M.update(self, dt)
  local t = self.entity:get("Transform")
  t.translation.x = t.translation.x + dt
  self.entity:set("Transform", { translation = t.translation })
end
return M
"#;

/// The baseline's Lua side of the `components` logic, with number callbacks.
const RAW_NUMBERS: &str = r#"
return function(n, get_pos, get_vel, set_vel)
  for i = 1, n do
    local px, py = get_pos(i)
    local vx, vy = get_vel(i)
    if px > 100000 then vx = -vx end
    set_vel(i, vx, vy)
  end
end
"#;

/// The same with table callbacks.
const RAW_TABLES: &str = r#"
return function(n, get_pos, get_vel, set_vel)
  for i = 1, n do
    local p = get_pos(i)
    local v = get_vel(i)
    if p.x > 100000 then v.x = -v.x end
    set_vel(i, v)
  end
end
"#;

/// The floor of the API itself: the realistic script verbatim, its `get` returning a fresh
/// copy and its `set` checking keys as crescent's do, all in plain Lua over Lua tables,
/// one Lua loop calling every entity's handler. No Rust is crossed; no implementation of
/// `get`/`set` with copy semantics can do better on this Lua.
const PURE_LUA_API: &str = r#"
return function(n)
  local stores = { Position = {}, Velocity = {} }
  for i = 1, n do
    stores.Position[i] = { x = i, y = 0 }
    stores.Velocity[i] = { x = 1, y = 0 }
  end
  local E = {}
  E.__index = E
  function E.get(e, name)
    local c = stores[name][e.i]
    return { x = c.x, y = c.y }
  end
  function E.set(e, name, t)
    for k in next, t do
      if not (k == "x" or k == "y") then error("unknown field " .. tostring(k)) end
    end
    local c = stores[name][e.i]
    local x, y = t.x, t.y
    if x ~= nil then c.x = x end
    if y ~= nil then c.y = y end
  end
  local selves = {}
  for i = 1, n do selves[i] = { entity = setmetatable({ i = i }, E) } end
  local function update(self, dt)
    local p = self.entity:get("Position")
    local v = self.entity:get("Velocity")
    if p.x > 100000 then v.x = -v.x end
    self.entity:set("Velocity", v)
  end
  return function(dt)
    for i = 1, n do update(selves[i], dt) end
  end
end
"#;

/// The baseline of the `query` group: `get_pos(i)` over every entity, summing `x`.
const RAW_QUERY: &str = r#"
return function(n, get_pos)
  local s = 0
  for i = 1, n do
    local px, py = get_pos(i)
    s = s + px
  end
  return s
end
"#;

const DT: f64 = 1.0 / 60.0;

/// Plain-Rust position (`y` is carried, as in the scripts' data, but never read).
#[derive(Component)]
struct P {
    x: f32,
    #[allow(dead_code)]
    y: f32,
}

/// Plain-Rust velocity.
#[derive(Component)]
struct V {
    x: f32,
    y: f32,
}

/// The raw-mlua baseline: `n` entities' `[px, py, vx, vy]` in Rust, Lua callbacks onto them.
struct RawEntities {
    lua: Lua,
    data: Rc<RefCell<Vec<[f64; 4]>>>,
}

impl RawEntities {
    /// `n` entities laid out as the crescent games spawn them: `Position = {x = i, y = 0}`,
    /// `Velocity = {x = 1, y = 0}`.
    fn new(n: usize) -> Self {
        let data = (1..=n).map(|i| [i as f64, 0.0, 1.0, 0.0]).collect();
        Self {
            lua: Lua::new(),
            data: Rc::new(RefCell::new(data)),
        }
    }

    fn load(&self, source: &str) -> Function {
        self.lua.load(source).eval().expect("loop")
    }

    /// `get_pos(i) -> (x, y)`, `get_vel(i) -> (x, y)`, `set_vel(i, x, y)`.
    fn number_callbacks(&self) -> (Function, Function, Function) {
        let data = Rc::clone(&self.data);
        let get_pos = self
            .lua
            .create_function(move |_, i: usize| {
                let e = data.borrow()[i - 1];
                Ok((e[0], e[1]))
            })
            .expect("get_pos");
        let data = Rc::clone(&self.data);
        let get_vel = self
            .lua
            .create_function(move |_, i: usize| {
                let e = data.borrow()[i - 1];
                Ok((e[2], e[3]))
            })
            .expect("get_vel");
        let data = Rc::clone(&self.data);
        let set_vel = self
            .lua
            .create_function(move |_, (i, x, y): (usize, f64, f64)| {
                let mut data = data.borrow_mut();
                data[i - 1][2] = x;
                data[i - 1][3] = y;
                Ok(())
            })
            .expect("set_vel");
        (get_pos, get_vel, set_vel)
    }

    /// `get_pos(i) -> {x=, y=}`, `get_vel(i) -> {x=, y=}`, `set_vel(i, {x=, y=})`.
    fn table_callbacks(&self) -> (Function, Function, Function) {
        fn pair(lua: &Lua, x: f64, y: f64) -> mlua::Result<Table> {
            let t = lua.create_table_with_capacity(0, 2)?;
            t.raw_set("x", x)?;
            t.raw_set("y", y)?;
            Ok(t)
        }
        let data = Rc::clone(&self.data);
        let get_pos = self
            .lua
            .create_function(move |lua, i: usize| {
                let e = data.borrow()[i - 1];
                pair(lua, e[0], e[1])
            })
            .expect("get_pos");
        let data = Rc::clone(&self.data);
        let get_vel = self
            .lua
            .create_function(move |lua, i: usize| {
                let e = data.borrow()[i - 1];
                pair(lua, e[2], e[3])
            })
            .expect("get_vel");
        let data = Rc::clone(&self.data);
        let set_vel = self
            .lua
            .create_function(move |_, (i, v): (usize, Table)| {
                let x: f64 = v.get("x")?;
                let y: f64 = v.get("y")?;
                let mut data = data.borrow_mut();
                data[i - 1][2] = x;
                data[i - 1][3] = y;
                Ok(())
            })
            .expect("set_vel");
        (get_pos, get_vel, set_vel)
    }
}

/// A plain bevy_ecs world with `n` entities holding `P` (x = i) and `V` (x = 1).
fn rust_world(n: usize) -> World {
    let mut world = World::new();
    world.spawn_batch((1..=n).map(|i| {
        (
            P {
                x: i as f32,
                y: 0.0,
            },
            V { x: 1.0, y: 0.0 },
        )
    }));
    world
}

fn components(c: &mut Criterion) {
    let dir = support::assets(&[("c.lua", COMPONENTS)]);
    let mut group = c.benchmark_group("components");
    for n in [1_000usize, 10_000, 100_000] {
        group.throughput(Throughput::Elements(n as u64));

        let mut game = support::spawned(
            dir.path(),
            n,
            "script = 'c.lua', Position = {x = i, y = 0}, Velocity = {x = 1, y = 0}",
            |_| {},
        );
        support::assert_no_script_errors(&game, "components setup");
        group.bench_function(BenchmarkId::new("crescent_frame", n), |b| {
            b.iter(|| game.app.update())
        });
        support::assert_no_script_errors(&game, "components crescent_frame");
        drop(game);

        let raw = RawEntities::new(n);
        let looped = raw.load(RAW_NUMBERS);
        let (get_pos, get_vel, set_vel) = raw.number_callbacks();
        group.bench_function(BenchmarkId::new("raw_mlua_number_callbacks", n), |b| {
            b.iter(|| {
                looped
                    .call::<()>((black_box(n), &get_pos, &get_vel, &set_vel))
                    .expect("loop")
            })
        });

        let raw = RawEntities::new(n);
        let looped = raw.load(RAW_TABLES);
        let (get_pos, get_vel, set_vel) = raw.table_callbacks();
        group.bench_function(BenchmarkId::new("raw_mlua_table_callbacks", n), |b| {
            b.iter(|| {
                looped
                    .call::<()>((black_box(n), &get_pos, &get_vel, &set_vel))
                    .expect("loop")
            })
        });

        let floor = Lua::new();
        let frame: Function = floor
            .load(PURE_LUA_API)
            .eval::<Function>()
            .and_then(|make| make.call(n))
            .expect("pure-Lua API");
        group.bench_function(BenchmarkId::new("pure_lua_api_floor", n), |b| {
            b.iter(|| frame.call::<()>(black_box(DT)).expect("frame"))
        });

        let mut world = rust_world(n);
        let mut schedule = Schedule::default();
        schedule.add_systems(|mut q: Query<(&P, &mut V)>| {
            for (p, mut v) in &mut q {
                let vx = if p.x > 100_000.0 { -v.x } else { v.x };
                *v = V { x: vx, y: v.y };
            }
        });
        schedule.run(&mut world);
        group.bench_function(BenchmarkId::new("rust_system", n), |b| {
            b.iter(|| schedule.run(&mut world))
        });
    }
    group.finish();
}

fn query(c: &mut Criterion) {
    let n = 10_000usize;
    let dir = support::assets(&[("q.lua", QUERY)]);
    let mut group = c.benchmark_group("query");
    group.throughput(Throughput::Elements(n as u64));

    let mut game = support::spawned(dir.path(), n, "Position = {x = i, y = 0}", |_| {});
    support::exec(&mut game, "world.spawn{ script = 'q.lua' }");
    game.step();
    game.step();
    support::assert_no_script_errors(&game, "query setup");
    group.bench_function(BenchmarkId::new("crescent_frame", n), |b| {
        b.iter(|| game.app.update())
    });
    support::assert_no_script_errors(&game, "query crescent_frame");
    drop(game);

    let raw = RawEntities::new(n);
    let looped = raw.load(RAW_QUERY);
    let (get_pos, _, _) = raw.number_callbacks();
    group.bench_function(BenchmarkId::new("raw_mlua_number_callbacks", n), |b| {
        b.iter(|| looped.call::<f64>((black_box(n), &get_pos)).expect("loop"))
    });

    let mut world = rust_world(n);
    let mut schedule = Schedule::default();
    schedule.add_systems(|q: Query<&P>| {
        let mut s = 0.0f32;
        for p in &q {
            s += p.x;
        }
        black_box(s);
    });
    schedule.run(&mut world);
    group.bench_function(BenchmarkId::new("rust_system", n), |b| {
        b.iter(|| schedule.run(&mut world))
    });
    group.finish();
}

/// A game with `n` entities spawned from Rust with a `Transform` and `t.lua`, past `init`.
fn transform_game(dir: &std::path::Path, n: usize) -> crescent::game::Game {
    let mut game = support::game(dir, |_| {});
    game.app.register_type::<Transform>();
    game.app
        .world_mut()
        .spawn_batch((0..n).map(|_| (Transform::default(), AttachScripts::new(["t.lua"]))));
    game.step();
    game.step();
    game
}

/// Whether scripts can read and write `Transform` yet: a probe `e:get("Transform")`, then
/// two frames of the real script on one entity (no errors, and the translation moved).
fn transform_supported(dir: &std::path::Path) -> Result<(), String> {
    let mut game = support::game(dir, |_| {});
    game.app.register_type::<Transform>();
    game.app.world_mut().spawn((
        crescent::ecs::Name::new("probe"),
        Transform::default(),
        crescent::ecs::SpawnOrder::default(),
    ));
    support::try_exec(
        &mut game,
        r#"local t = world.find("probe"):get("Transform")
           assert(type(t) == "table" and type(t.translation) == "table", "no Transform table")"#,
    )?;
    drop(game);
    let mut game = transform_game(dir, 1);
    let (errors, first) = support::script_errors(&game);
    if errors > 0 {
        return Err(first.unwrap_or_else(|| format!("{errors} script errors")));
    }
    let mut q = game.app.world_mut().query::<&Transform>();
    let x = q
        .iter(game.app.world())
        .next()
        .map_or(0.0, |t| t.translation.x);
    if x <= 0.0 {
        return Err(format!("translation.x is {x} after two frames"));
    }
    Ok(())
}

fn transform(c: &mut Criterion) {
    let n = 10_000usize;
    let dir = support::assets(&[("t.lua", TRANSFORM)]);
    if let Err(why) = transform_supported(dir.path()) {
        println!("transform: skipped, scripts cannot use Transform yet ({why})");
        return;
    }
    let mut group = c.benchmark_group("transform");
    group.throughput(Throughput::Elements(n as u64));

    let mut game = transform_game(dir.path(), n);
    support::assert_no_script_errors(&game, "transform setup");
    group.bench_function(BenchmarkId::new("crescent_frame", n), |b| {
        b.iter(|| game.app.update())
    });
    support::assert_no_script_errors(&game, "transform crescent_frame");
    drop(game);

    let mut world = World::new();
    world.spawn_batch((0..n).map(|_| Transform::default()));
    let mut schedule = Schedule::default();
    schedule.add_systems(|mut q: Query<&mut Transform>| {
        let dt = black_box(DT as f32);
        for mut t in &mut q {
            t.translation.x += dt;
        }
    });
    schedule.run(&mut world);
    group.bench_function(BenchmarkId::new("rust_system", n), |b| {
        b.iter(|| schedule.run(&mut world))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = components, query, transform
}
criterion_main!(benches);
