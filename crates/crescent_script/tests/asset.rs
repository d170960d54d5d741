//! Scripts as bevy_asset assets (feature `asset`, issue 14): `LuaScript` loads through
//! the `AssetServer`, a modified asset hot-reloads every attached instance (keeping
//! `self`, calling `on_reload`) and bad files are loader errors.
#![cfg(feature = "asset")]

use std::{
    path::Path,
    time::{Duration, Instant},
};

use bevy_app::{App, Last, TaskPoolPlugin};
use bevy_asset::{AssetPlugin, AssetServer, Assets, Handle, LoadState};
use bevy_ecs::{
    message::MessageReader,
    prelude::Resource,
    system::{Commands, ResMut, RunSystemOnce},
};
use crescent_script::prelude::*;
use serde_json::{Value, json};

const V1: &str = r#"
local ticker = {}
function ticker.init(self) self.count = 0 end
function ticker.update(self)
  self.count = self.count + 1
  world.emit("tick", { version = 1, count = self.count })
end
return ticker
"#;

const V2: &str = r#"
local ticker = {}
function ticker.update(self)
  self.count = self.count + 1
  world.emit("tick", { version = 2, count = self.count })
end
function ticker.on_reload(self) world.emit("reloaded", { count = self.count }) end
return ticker
"#;

/// What scripts emitted, in order: (name, payload).
#[derive(Resource, Default)]
struct Seen(Vec<(String, Value)>);

fn temp_assets(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, bytes) in files {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("create dirs");
        std::fs::write(full, bytes).expect("write script");
    }
    dir
}

fn app(assets: &Path, watch: bool, max_source_bytes: usize) -> App {
    let mut app = App::new();
    app.add_plugins((
        TaskPoolPlugin::default(),
        AssetPlugin {
            file_path: assets.display().to_string(),
            watch_for_changes_override: Some(watch),
            ..Default::default()
        },
        ScriptingPlugin {
            assets_root: assets.to_path_buf(),
            max_source_bytes,
            ..Default::default()
        },
        ScriptAssetPlugin,
    ))
    .init_resource::<Seen>()
    .add_systems(
        Last,
        |mut messages: MessageReader<ScriptMessage>, mut seen: ResMut<Seen>| {
            seen.0
                .extend(messages.read().map(|m| (m.name.clone(), m.payload.clone())));
        },
    );
    app
}

/// Updates until `done` holds, at most for `limit` (asset loads and file watching are
/// asynchronous).
fn update_until(app: &mut App, limit: Duration, mut done: impl FnMut(&mut App) -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        app.update();
        if done(app) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

fn load(app: &mut App, path: &'static str) -> Handle<LuaScript> {
    app.world()
        .resource::<AssetServer>()
        .load::<LuaScript>(path)
}

fn load_state(app: &App, handle: &Handle<LuaScript>) -> LoadState {
    app.world().resource::<AssetServer>().load_state(handle)
}

fn ticks(app: &App) -> Vec<Value> {
    let seen = &app.world().resource::<Seen>().0;
    seen.iter()
        .filter(|(name, _)| name == "tick")
        .map(|(_, payload)| payload.clone())
        .collect()
}

fn reloads(app: &App) -> Vec<Value> {
    let seen = &app.world().resource::<Seen>().0;
    seen.iter()
        .filter(|(name, _)| name == "reloaded")
        .map(|(_, payload)| payload.clone())
        .collect()
}

fn errors(app: &App) -> Vec<String> {
    let log = app.world().resource::<ScriptErrorLog>();
    log.errors.iter().map(|e| e.to_string()).collect()
}

/// Loads `scripts/ticker.lua` as an asset and attaches it by handle to two entities.
fn loaded_ticker(app: &mut App) -> Handle<LuaScript> {
    let handle = load(app, "scripts/ticker.lua");
    let loaded = update_until(app, Duration::from_secs(10), |app| {
        matches!(load_state(app, &handle), LoadState::Loaded)
    });
    assert!(loaded, "{:?}", load_state(app, &handle));
    let source = app.world().resource::<Assets<LuaScript>>().get(&handle);
    assert_eq!(source.map(|s| s.source.as_str()), Some(V1));
    let attach = handle.clone();
    app.world_mut()
        .run_system_once(move |mut commands: Commands| {
            commands.spawn_empty().attach_script_asset(&attach);
            commands.spawn_empty().attach_script_asset(&attach);
        })
        .expect("system");
    for _ in 0..3 {
        app.update();
    }
    assert_eq!(
        ticks(app).last(),
        Some(&json!({ "version": 1, "count": 3 }))
    );
    assert_eq!(ticks(app).len(), 6, "both instances tick");
    handle
}

#[test]
fn modifying_a_script_asset_hot_reloads_its_instances() {
    let dir = temp_assets(&[("scripts/ticker.lua", V1.as_bytes())]);
    let mut app = app(dir.path(), false, 1 << 20);
    let handle = loaded_ticker(&mut app);

    let mut assets = app.world_mut().resource_mut::<Assets<LuaScript>>();
    assets.get_mut(&handle).expect("loaded").source = V2.to_owned();
    let reloaded = update_until(&mut app, Duration::from_secs(5), |app| {
        reloads(app).len() == 2
    });
    assert!(reloaded, "{:?}", app.world().resource::<Seen>().0);
    // The change is an `AssetEvent` at the end of the next frame (count 4, still the old
    // handlers) and reloads at the start of the one after: `self` survived (no `init`
    // again), `on_reload` ran in both instances, and the new `update` runs that frame.
    assert_eq!(
        reloads(&app),
        [json!({ "count": 4 }), json!({ "count": 4 })]
    );
    let ticks_now = ticks(&app);
    assert_eq!(
        ticks_now[6..],
        [
            json!({ "version": 1, "count": 4 }),
            json!({ "version": 1, "count": 4 }),
            json!({ "version": 2, "count": 5 }),
            json!({ "version": 2, "count": 5 }),
        ]
    );
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
}

#[test]
fn a_modified_asset_that_does_not_compile_keeps_the_old_handlers() {
    let dir = temp_assets(&[("scripts/ticker.lua", V1.as_bytes())]);
    let mut app = app(dir.path(), false, 1 << 20);
    let handle = loaded_ticker(&mut app);

    let mut assets = app.world_mut().resource_mut::<Assets<LuaScript>>();
    assets.get_mut(&handle).expect("loaded").source = "return {".to_owned();
    let reported = update_until(&mut app, Duration::from_secs(5), |app| {
        !errors(app).is_empty()
    });
    assert!(reported);
    let errors = errors(&app);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("scripts/ticker.lua:1:"), "{errors:?}");
    assert!(errors[0].contains("reload"), "{errors:?}");
    app.update();
    assert_eq!(ticks(&app).last().map(|t| &t["version"]), Some(&json!(1)));
    assert!(reloads(&app).is_empty());
}

/// bevy_asset's own watcher: editing the file on disk reloads the instances.
#[cfg(feature = "asset_watcher")]
#[test]
fn editing_the_file_hot_reloads_through_bevy_assets_watcher() {
    let dir = temp_assets(&[("scripts/ticker.lua", V1.as_bytes())]);
    let mut app = app(dir.path(), true, 1 << 20);
    let _handle = loaded_ticker(&mut app);

    std::fs::write(dir.path().join("scripts/ticker.lua"), V2).expect("edit");
    let reloaded = update_until(&mut app, Duration::from_secs(20), |app| {
        reloads(app).len() == 2
    });
    assert!(
        reloaded,
        "no reload: {:?}",
        app.world().resource::<Seen>().0
    );
    app.update();
    assert_eq!(ticks(&app).last().map(|t| &t["version"]), Some(&json!(2)));
    assert!(errors(&app).is_empty(), "{:?}", errors(&app));
}

/// The loader error of a file, once its load failed.
fn load_error(app: &mut App, path: &'static str) -> String {
    let handle = load(app, path);
    let failed = update_until(app, Duration::from_secs(10), |app| {
        matches!(load_state(app, &handle), LoadState::Failed(_))
    });
    assert!(failed, "{path}: {:?}", load_state(app, &handle));
    match load_state(app, &handle) {
        LoadState::Failed(err) => err.to_string(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn oversize_and_non_utf8_files_are_loader_errors() {
    let at_limit = format!("return {{}}{}", " ".repeat(64 - 9));
    let over = format!("{at_limit} ");
    let dir = temp_assets(&[
        ("at_limit.lua", at_limit.as_bytes()),
        ("big.lua", over.as_bytes()),
        ("latin1.lua", b"return { name = \"caf\xe9\" }"),
    ]);
    let mut app = app(dir.path(), false, 64);

    let ok = load(&mut app, "at_limit.lua");
    let loaded = update_until(&mut app, Duration::from_secs(10), |app| {
        matches!(load_state(app, &ok), LoadState::Loaded)
    });
    assert!(loaded, "a file of exactly max_source_bytes loads");

    let big = load_error(&mut app, "big.lua");
    assert!(
        big.contains(
            "script 'big.lua': more than 64 bytes exceeds the limit max_source_bytes = 64"
        ),
        "{big}"
    );
    let latin1 = load_error(&mut app, "latin1.lua");
    assert!(
        latin1.contains(
            "script 'latin1.lua' is not UTF-8 text: invalid utf-8 sequence of 1 bytes from index 20"
        ),
        "{latin1}"
    );
}

#[test]
#[should_panic(expected = "ScriptAssetPlugin: add AssetPlugin before it")]
fn the_plugin_needs_asset_plugin() {
    App::new().add_plugins((ScriptingPlugin::default(), ScriptAssetPlugin));
}

#[test]
#[should_panic(
    expected = "differ; script assets and crescent's script paths must share one folder"
)]
fn the_plugin_refuses_two_folders() {
    let assets = tempfile::tempdir().expect("temp dir");
    let scripts = tempfile::tempdir().expect("temp dir");
    App::new().add_plugins((
        TaskPoolPlugin::default(),
        AssetPlugin {
            file_path: assets.path().display().to_string(),
            ..Default::default()
        },
        ScriptingPlugin {
            assets_root: scripts.path().to_path_buf(),
            ..Default::default()
        },
        ScriptAssetPlugin,
    ));
}
