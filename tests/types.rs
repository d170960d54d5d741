//! `crescent types`: the LuaLS annotations compile, cover every live binding (and only
//! those), and the copy committed in `assets/types/` is current.

mod common;

use std::{collections::BTreeSet, path::Path, process::Command};

use crescent::script::{
    ScriptComponents, ScriptRuntime,
    api::spec::{API, Class, Kind, luals_annotations},
};
use mlua::{AnyUserData, Lua, Table, Value};

/// The standard Lua globals the sandbox keeps; anything else must be in the spec.
const STANDARD_GLOBALS: [&str; 30] = [
    "_VERSION",
    "assert",
    "collectgarbage",
    "coroutine",
    "error",
    "getmetatable",
    "ipairs",
    "load",
    "math",
    "next",
    "os",
    "package",
    "pairs",
    "pcall",
    "print",
    "rawequal",
    "rawget",
    "rawlen",
    "rawset",
    "require",
    "select",
    "setmetatable",
    "string",
    "table",
    "tonumber",
    "tostring",
    "type",
    "utf8",
    "warn",
    "xpcall",
];

fn class(name: &str) -> &'static Class {
    API.class(name)
        .unwrap_or_else(|| panic!("the spec has no class {name}"))
}

fn names<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

/// The spec's function names of `class`.
fn spec_functions(class: &Class) -> BTreeSet<String> {
    names(class.functions.iter().map(|f| f.name))
}

/// The spec's named (not `[string]`) fields of `class`, without the optional marker.
fn spec_fields(class: &Class) -> BTreeSet<String> {
    names(
        class
            .fields
            .iter()
            .filter(|f| !f.name.starts_with('['))
            .map(|f| f.name.trim_end_matches('?')),
    )
}

/// String keys of `table` whose values are (`functions`) or are not functions.
fn keys(table: &Table, functions: bool) -> BTreeSet<String> {
    table
        .pairs::<Value, Value>()
        .map(|pair| pair.expect("table pair"))
        .filter(|(_, v)| v.is_function() == functions)
        .filter_map(|(k, _)| k.as_string().map(|s| s.to_string_lossy()))
        .collect()
}

/// The method names of a userdata: the keys of its metatable's `__index` table.
fn userdata_methods(ud: &AnyUserData) -> BTreeSet<String> {
    let meta = ud.metatable().expect("userdata metatable");
    match meta.get::<Value>("__index").expect("__index") {
        Value::Nil => BTreeSet::new(),
        Value::Table(methods) => keys(&methods, true),
        other => panic!("__index of a {ud:?} is a {}", other.type_name()),
    }
}

/// What differs between the live names and the spec's, if anything.
fn mismatch(what: &str, live: &BTreeSet<String>, spec: &BTreeSet<String>) -> Option<String> {
    let missing: Vec<_> = live.difference(spec).collect();
    let stale: Vec<_> = spec.difference(live).collect();
    (!missing.is_empty() || !stale.is_empty()).then(|| {
        format!("{what}: bound but not in api/spec.rs: {missing:?}; in api/spec.rs but not bound: {stale:?}")
    })
}

fn assert_same(what: &str, live: &BTreeSet<String>, spec: &BTreeSet<String>) {
    if let Some(problem) = mismatch(what, live, spec) {
        panic!("{problem}");
    }
}

fn eval<R: mlua::FromLuaMulti>(lua: &Lua, source: &str) -> R {
    lua.load(source)
        .set_name("=types test")
        .eval()
        .unwrap_or_else(|e| panic!("{source}: {e}"))
}

#[test]
fn annotations_are_a_meta_file_that_compiles() {
    let text = luals_annotations();
    assert!(text.starts_with("---@meta\n"), "{text}");
    if let Err(err) = Lua::new().load(&text).set_name("=types").into_function() {
        panic!("the annotations do not compile: {err}\n{text}");
    }
    for class in API.classes {
        assert!(
            text.contains(&format!("---@class {}\n", class.name)),
            "{}",
            class.name
        );
    }
    for needle in [
        "function world.spawn(desc) end",
        "function Entity:get(component) end",
        "---@field dt number",
        "function task.spawn(fn, ...) end",
        "function Self:on(event, fn) end",
        "---@field update? fun(self: crescent.Self, dt: number)",
        "function Test:reload(path, source) end",
        "function test(name, fn) end",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn spec_matches_the_live_bindings() {
    let mut game = common::game(&common::repo_assets());
    let problems = ScriptRuntime::lend_world(game.app.world_mut(), |lua| {
        let mut problems = Vec::new();
        let mut check = |what: &str, live: BTreeSet<String>, spec: BTreeSet<String>| {
            problems.extend(mismatch(what, &live, &spec));
        };
        let globals = lua.globals();
        // Every global beyond standard Lua is an API module of the spec.
        let extra = keys(&globals, false)
            .union(&keys(&globals, true))
            .filter(|k| !STANDARD_GLOBALS.contains(&k.as_str()))
            .cloned()
            .collect();
        check(
            "globals",
            extra,
            names(API.classes.iter().filter_map(|c| c.global)),
        );

        for module in API.classes.iter().filter(|c| c.global.is_some()) {
            let global = module.global.unwrap_or_default();
            assert_eq!(module.kind, Kind::Module, "{}", module.name);
            match globals.raw_get::<Value>(global).expect("global") {
                Value::Table(table) => {
                    check(global, keys(&table, true), spec_functions(module));
                    check(global, keys(&table, false), spec_fields(module));
                }
                other => check(global, names([other.type_name()]), names(["table"])),
            }
        }

        // Entity handles are light userdata: their metatable is the type's.
        let entity: Value = eval(lua, "return world.spawn({})");
        assert!(entity.is_light_userdata(), "{entity:?}");
        let spec = class("crescent.Entity");
        let meta = lua
            .type_metatable::<mlua::LightUserData>()
            .expect("entity metatable");
        let methods: Table = meta.raw_get("__index").expect("entity methods");
        check("entity", keys(&methods, true), spec_functions(spec));
        let meta_methods = names(
            ["__eq", "__tostring"]
                .into_iter()
                .filter(|m| meta.contains_key(*m).expect("metatable lookup")),
        );
        // Two handles of one entity are one Lua value: equal with no `__eq`.
        check("entity metamethods", meta_methods, names(["__tostring"]));

        let this: Table = eval(lua, "return world.spawn({}):attach('testing/counter.lua')");
        let spec = class("crescent.Self");
        check("self fields", keys(&this, false), spec_fields(spec));
        let methods: Table = this
            .metatable()
            .expect("self has a metatable")
            .raw_get("__index")
            .expect("self's methods");
        check("self", keys(&methods, true), spec_functions(spec));

        let connection: AnyUserData = lua
            .load("local this = ...; return this:on('ping', function() end)")
            .call(this)
            .expect("self:on");
        let spec = class("crescent.Connection");
        check(
            "connection",
            userdata_methods(&connection),
            spec_functions(spec),
        );

        let task: AnyUserData = eval(lua, "return task.spawn(function() end)");
        let spec = class("crescent.Task");
        check("task handle", userdata_methods(&task), spec_functions(spec));
        problems
    })
    .expect("lend the world");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn spec_covers_the_test_runner() {
    let assets = common::temp_assets(&[(
        "probe.lua",
        r#"
test("probe", function(t)
  assert(type(test) == "function", "test is not a function")
  local names = {}
  for k, v in pairs(t) do
    if type(v) == "function" then names[#names + 1] = k end
  end
  table.sort(names)
  error("methods:" .. table.concat(names, ","), 0)
end)
"#,
    )]);
    let file = assets.path().join("probe.lua");
    let outcomes = crescent::testing::run_file(assets.path(), &file);
    let failure = outcomes
        .first()
        .and_then(|o| o.failure.clone())
        .expect("the probe reports through a failure");
    let (_, list) = failure
        .split_once("methods:")
        .unwrap_or_else(|| panic!("unexpected outcome: {failure}"));
    let live = names(list.trim().split(','));
    assert_same("t", &live, &spec_functions(class("crescent.Test")));
    assert_eq!(names(API.globals.iter().map(|f| f.name)), names(["test"]));
}

#[test]
fn component_alias_names_components_a_game_resolves() {
    let alias = API
        .aliases
        .iter()
        .find(|a| a.name == "crescent.ComponentName")
        .expect("crescent.ComponentName");
    let quoted = names(
        alias
            .ty
            .split('|')
            .filter_map(|t| t.strip_prefix('"')?.strip_suffix('"')),
    );
    assert!(
        quoted.is_superset(&names(ScriptComponents::with_builtins().names())),
        "the alias lists every built-in name"
    );
    let mut game = common::game(&common::repo_assets());
    for name in &quoted {
        let has: Result<bool, String> =
            common::eval(&mut game, &format!("return world.spawn{{}}:has({name:?})"));
        assert_eq!(has, Ok(false), "{name} resolves in a game");
    }
}

#[test]
fn committed_annotations_are_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/types/crescent.lua");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == luals_annotations(),
        "assets/types/crescent.lua is stale or missing: run `cargo run -- types -o assets/types/crescent.lua`"
    );
}

#[test]
fn luarc_points_luals_at_the_annotations() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/.luarc.json");
    let text = std::fs::read_to_string(&path).expect("assets/.luarc.json");
    let luarc: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(luarc["runtime"]["version"], "Lua 5.4", "{luarc}");
    let library = luarc["workspace"]["library"].as_array().expect("a list");
    assert!(library.iter().any(|l| l == "types/crescent.lua"), "{luarc}");
    let declared = luarc["diagnostics"]["globals"].as_array().expect("a list");
    for global in ["world", "time", "task", "log", "test"] {
        assert!(declared.iter().any(|g| g == global), "{global}: {luarc}");
    }
}

#[test]
fn cli_writes_the_annotations() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("types/crescent.lua");
    let out = Command::new(env!("CARGO_BIN_EXE_crescent"))
        .args(["types", "-o"])
        .arg(&file)
        .output()
        .expect("run crescent");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains(&file.display().to_string()), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&file).expect("written"),
        luals_annotations()
    );

    let out = Command::new(env!("CARGO_BIN_EXE_crescent"))
        .arg("types")
        .output()
        .expect("run crescent");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), luals_annotations());
}
