//! Typed messages between Rust and scripts (issue 14): `add_script_message::<T>` and
//! `send_typed` / `broadcast_typed`.

mod common;

use std::collections::BTreeMap;

use bevy_app::{App, Update};
use bevy_ecs::system::RunSystemOnce;
use bevy_ecs::{
    message::{Message, MessageReader, MessageWriter, Messages},
    prelude::Resource,
    system::ResMut,
};
use bevy_time::TimePlugin;
use common::temp_assets;
use crescent::ecs::DeterministicTimePlugin;
use crescent::script::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Message, Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Scored {
    points: u32,
    by: String,
}

#[derive(Resource, Default)]
struct Got(Vec<Scored>);

const SCORER: &str = r#"
local scorer = {}
function scorer.score(self, payload)
  world.emit("scored", { points = payload.points, by = payload.by })
end
function scorer.bad(self)
  world.emit("scored", { points = "many" })
end
return scorer
"#;

fn app(assets: &std::path::Path) -> App {
    let mut app = App::new();
    app.add_plugins((
        TimePlugin,
        DeterministicTimePlugin::default(),
        ScriptingPlugin {
            assets_root: assets.to_path_buf(),
            ..Default::default()
        },
    ))
    .add_script_message::<Scored>("scored")
    .init_resource::<Got>()
    .add_systems(
        Update,
        |mut scored: MessageReader<Scored>, mut got: ResMut<Got>| {
            got.0.extend(scored.read().cloned());
        },
    );
    app.world_mut().spawn(AttachScripts::new(["scorer.lua"]));
    app.update();
    app
}

fn errors(app: &App) -> Vec<String> {
    let messages = app.world().resource::<Messages<ScriptError>>();
    messages
        .get_cursor()
        .read(messages)
        .map(|e| e.message.clone())
        .collect()
}

#[test]
fn a_typed_event_goes_in_and_a_typed_message_comes_out() {
    let dir = temp_assets(&[("scorer.lua", SCORER)]);
    let mut app = app(dir.path());
    let send = |mut events: MessageWriter<ToScripts>| {
        let sent = events.broadcast_typed(
            "score",
            &Scored {
                points: 3,
                by: "red".into(),
            },
        );
        assert!(sent.is_ok());
    };
    app.world_mut().run_system_once(send).expect("system");
    app.update();
    app.update();
    assert_eq!(
        app.world().resource::<Got>().0,
        [Scored {
            points: 3,
            by: "red".into()
        }]
    );
}

#[test]
fn an_emit_that_does_not_convert_is_a_script_error_not_a_message() {
    let dir = temp_assets(&[("scorer.lua", SCORER)]);
    let mut app = app(dir.path());
    app.world_mut()
        .write_message(ToScripts::broadcast("bad", serde_json::json!({})));
    app.update();
    let errors = errors(&app);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("world.emit(\"scored\")"), "{errors:?}");
    assert!(errors[0].contains("points"), "names the field: {errors:?}");
    app.update();
    assert!(app.world().resource::<Got>().0.is_empty());
}

#[test]
fn a_payload_that_cannot_become_a_lua_value_is_an_error_for_the_sender() {
    let dir = temp_assets(&[("scorer.lua", SCORER)]);
    let mut app = app(dir.path());
    let send = |mut events: MessageWriter<ToScripts>| {
        let mut keyed_by_pairs = BTreeMap::new();
        keyed_by_pairs.insert((1, 2), 3);
        events.broadcast_typed("score", &keyed_by_pairs).is_err()
    };
    let refused = app.world_mut().run_system_once(send).expect("system");
    assert!(refused);
    assert!(app.world().resource::<Messages<ToScripts>>().is_empty());
}

/// Code written against the old name still builds (with a deprecation warning) and its
/// messages reach scripts: the alias is the same type.
#[test]
#[allow(deprecated)]
fn the_old_name_script_event_is_the_same_message() {
    let dir = temp_assets(&[("scorer.lua", SCORER)]);
    let mut app = app(dir.path());
    let old = crescent::script::ScriptEvent::broadcast(
        "score",
        serde_json::json!({ "points": 9, "by": "blue" }),
    );
    app.world_mut().write_message::<ToScripts>(old);
    app.update();
    app.update();
    assert_eq!(
        app.world().resource::<Got>().0,
        [Scored {
            points: 9,
            by: "blue".into()
        }]
    );
}
