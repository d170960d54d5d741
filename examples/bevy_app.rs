//! A Bevy app with crescent: a Rust component exposed to Lua, a Rust system sending
//! events to scripts, and a Rust system reading what scripts emit. Headless, 300 frames.
//!
//! Run with `cargo run --example bevy_app`.

use bevy_app::{App, Update};
use bevy_ecs::prelude::*;
use bevy_time::TimePlugin;
use crescent::ecs::{DeterministicTimePlugin, FrameCount, Name};
use crescent::script::prelude::*;
use serde::{Deserialize, Serialize};

/// A Rust component scripts read and write as `Health`.
#[derive(Component, Serialize, Deserialize, Debug, Clone, Copy)]
struct Health {
    hp: i32,
    max: i32,
}

/// What the Rust side saw scripts emit.
#[derive(Resource, Default)]
struct Tally {
    healed: u32,
    fallen: Vec<String>,
}

const MEDIC: &str = r#"
-- Heals everyone a little whenever Rust says a wave ended; reports who it healed.
local medic = {}
function medic.wave_over(self, payload)
  for e in world.query("Health") do
    local h = e:get("Health")
    if h.hp > 0 then
      h.hp = math.min(h.max, h.hp + payload.heal)
      e:set("Health", h)
      world.emit("healed", { who = e:get("Name"), hp = h.hp })
    end
  end
end
return medic
"#;

const SOLDIER: &str = r#"
-- Loses health every second; when it hits zero, tells Rust and despawns.
local soldier = {}
function soldier.init(self)
  task.spawn(function()
    while true do
      task.wait(1.0)
      local h = self.entity:get("Health")
      h.hp = h.hp - self.damage
      self.entity:set("Health", h)
      if h.hp <= 0 then
        world.emit("fallen", { who = self.entity:get("Name") })
        self.entity:despawn()
        return
      end
    end
  end)
end
return soldier
"#;

const MAIN: &str = r#"
world.spawn{ name = "medic", script = "medic.lua" }
for i, damage in ipairs({ 10, 25, 40 }) do
  world.spawn{ name = "soldier" .. i, script = "soldier.lua", props = { damage = damage },
               Health = { hp = 100, max = 100 } }
end
"#;

/// Every two seconds of game time, Rust tells the scripts a wave ended.
fn end_waves(frames: Res<FrameCount>, mut events: MessageWriter<ToScripts>) {
    if frames.0.is_multiple_of(120) {
        events.write(ToScripts::broadcast(
            "wave_over",
            serde_json::json!({ "heal": 15 }),
        ));
    }
}

/// Reads what scripts emitted.
fn read_emits(mut emits: MessageReader<ScriptMessage>, mut tally: ResMut<Tally>) {
    for emit in emits.read() {
        match emit.name.as_str() {
            "healed" => tally.healed += 1,
            "fallen" => tally
                .fallen
                .push(emit.payload["who"].as_str().unwrap_or("?").to_owned()),
            other => println!("unexpected emit: {other}"),
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assets = std::env::temp_dir().join(format!("crescent-bevy-example-{}", std::process::id()));
    std::fs::create_dir_all(&assets)?;
    std::fs::write(assets.join("medic.lua"), MEDIC)?;
    std::fs::write(assets.join("soldier.lua"), SOLDIER)?;

    let mut app = App::new();
    // A real-time game adds `TimePlugin` (or `MinimalPlugins`) and leaves time alone; this
    // headless demo also adds `DeterministicTimePlugin`, so 300 updates are 5 s of game time.
    app.add_plugins((
        TimePlugin,
        DeterministicTimePlugin { hz: 60.0 },
        ScriptingPlugin {
            assets_root: assets.clone(),
            ..Default::default()
        },
    ))
    .register_script_component::<Health>("Health")
    .init_resource::<Tally>()
    .add_systems(Update, (end_waves, read_emits));

    ScriptRuntime::exec(app.world_mut(), MAIN.as_bytes(), "main.lua").map_err(|e| e.to_string())?;
    for _ in 0..300 {
        app.update();
    }

    let world = app.world_mut();
    let tally = world.resource::<Tally>();
    println!("after 300 frames (5 s of game time):");
    println!("  heals emitted by the medic: {}", tally.healed);
    println!("  fallen: {}", tally.fallen.join(", "));
    let (fallen, healed) = (tally.fallen.clone(), tally.healed);
    let mut standing = world.query::<(&Name, &Health)>();
    for (name, health) in standing.iter(world) {
        println!(
            "  standing: {} with {}/{} hp",
            name.as_str(),
            health.hp,
            health.max
        );
    }
    let errors = world.resource::<ScriptErrorLog>().total;
    println!("  script errors: {errors}");
    let _ = std::fs::remove_dir_all(&assets);
    if errors > 0 || fallen.is_empty() || healed == 0 {
        return Err("the example did not play out as expected".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// CI runs the example to its end (see `[[example]]` in Cargo.toml).
    #[test]
    fn the_example_plays_out() {
        if let Err(err) = super::main() {
            panic!("{err}");
        }
    }
}
