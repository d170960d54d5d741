//! Component access from Lua: reflected components (Bevy's and a game's own), the
//! numbers-only fast path, every conversion rule with its message, and what scripts see
//! of the world.

mod common;

use bevy_ecs::{
    component::Component, entity::Entity, name::Name, reflect::ReflectComponent, system::Query,
};
use bevy_math::{Quat, Vec3};
use bevy_reflect::{Reflect, std_traits::ReflectDefault};
use bevy_transform::components::{GlobalTransform, Transform};
use common::{eval, exec, game, repo_assets, step, temp_assets};
use crescent::{ecs::Position, game::Game};

/// A game's own component: reflected only, no serde.
#[derive(Component, Reflect, Default, Debug, Clone, PartialEq)]
#[reflect(Component, Default)]
struct Stats {
    level: u8,
    ratio: f32,
    tags: Vec<String>,
    mood: Mood,
    home: Place,
    best: Option<i32>,
}

#[derive(Reflect, Default, Debug, Clone, PartialEq)]
enum Mood {
    #[default]
    Calm,
    Angry(u32),
    Lost {
        steps: u32,
    },
}

#[derive(Reflect, Default, Debug, Clone, PartialEq)]
struct Place {
    x: f64,
    y: f64,
}

/// A component with no Default: scripts must give every field to add it.
#[derive(Component, Reflect, Debug, Clone, PartialEq)]
#[reflect(Component)]
struct Marker {
    id: u32,
}

fn stats_game() -> Game {
    let mut game = game(&repo_assets());
    game.app.register_type::<Stats>().register_type::<Marker>();
    game
}

fn spawn_stats(game: &mut Game) -> Entity {
    game.app
        .world_mut()
        .spawn((Stats::default(), Name::new("hero")))
        .id()
}

fn err(game: &mut Game, source: &str) -> String {
    match eval::<()>(game, source) {
        Ok(()) => panic!("expected an error from: {source}"),
        Err(message) => message,
    }
}

#[test]
fn transform_reads_and_partially_writes_through_reflection() {
    let mut game = game(&repo_assets());
    let e = game
        .app
        .world_mut()
        .spawn((Transform::from_xyz(1.0, 2.0, 3.0), Name::new("t")))
        .id();
    let read: (f64, f64, f64, f64) = eval(
        &mut game,
        "local t = world.find('t'):get('Transform')
         return t.translation.x, t.translation.z, t.rotation.w, t.scale.y",
    )
    .expect("get");
    assert_eq!(read, (1.0, 3.0, 1.0, 1.0));
    exec(
        &mut game,
        "world.find('t'):set('Transform', { translation = { y = 20 } })",
    );
    let t = *game.app.world().get::<Transform>(e).expect("transform");
    assert_eq!(t.translation, Vec3::new(1.0, 20.0, 3.0), "only y changed");
    assert_eq!(t.rotation, Quat::IDENTITY);
    exec(
        &mut game,
        "world.find('t'):set('Transform', { rotation = { x = 0, y = 0, z = 1, w = 0 } })",
    );
    let t = *game.app.world().get::<Transform>(e).expect("transform");
    assert_eq!(t.rotation, Quat::from_xyzw(0.0, 0.0, 1.0, 0.0));
    assert_eq!(t.translation, Vec3::new(1.0, 20.0, 3.0));
}

#[test]
fn transform_errors_name_the_component_and_the_field_path() {
    let mut game = game(&repo_assets());
    game.app
        .world_mut()
        .spawn((Transform::default(), Name::new("t")));
    let message = err(
        &mut game,
        "world.find('t'):set('Transform', { translation = { w = 1 } })",
    );
    assert!(
        message.contains("bad value for component Transform, field 'translation.w': unknown field (fields: x, y, z)"),
        "{message}"
    );
    let message = err(
        &mut game,
        "world.find('t'):set('Transform', { translation = { x = 'far' } })",
    );
    assert!(
        message.contains("field 'translation.x': expected a number, got string"),
        "{message}"
    );
    let message = err(
        &mut game,
        "world.find('t'):set('Transform', { translation = 5 })",
    );
    assert!(
        message.contains("field 'translation': expected a table, got integer"),
        "{message}"
    );
    let message = err(&mut game, "world.find('t'):set('Transform', { 1, 2 })");
    assert!(
        message.contains("unexpected key 1 in a table of fields"),
        "{message}"
    );
}

#[test]
fn global_transform_is_read_only_for_scripts() {
    let mut game = game(&repo_assets());
    game.app
        .world_mut()
        .spawn((GlobalTransform::from_xyz(4.0, 5.0, 6.0), Name::new("g")));
    let y: f64 = eval(
        &mut game,
        "return world.find('g'):get('GlobalTransform') ~= nil and 1 or 0",
    )
    .expect("get");
    assert_eq!(y, 1.0);
    let message = err(&mut game, "world.find('g'):set('GlobalTransform', {})");
    assert!(
        message.contains("GlobalTransform") && message.contains("read-only"),
        "{message}"
    );
}

#[test]
fn a_games_own_reflect_component_round_trips_with_nested_structs_enums_and_lists() {
    let mut game = stats_game();
    let e = spawn_stats(&mut game);
    exec(
        &mut game,
        "local e = world.find('hero')
         e:set('Stats', { level = 10 / 2, tags = { 'a', 'b' }, mood = { Angry = 3 },
                          home = { y = 7 }, best = 42 })",
    );
    let stats = game.app.world().get::<Stats>(e).expect("stats").clone();
    assert_eq!(
        stats,
        Stats {
            level: 5,
            ratio: 0.0,
            tags: vec!["a".into(), "b".into()],
            mood: Mood::Angry(3),
            home: Place { x: 0.0, y: 7.0 },
            best: Some(42),
        }
    );
    let read: (i64, String, String, i64, f64, bool) = eval(
        &mut game,
        "local s = world.find('hero'):get('Stats')
         return s.level, s.tags[2], next(s.mood), s.mood.Angry, s.home.y, math.type(s.level) == 'integer'",
    )
    .expect("get");
    assert_eq!(read, (5, "b".into(), "Angry".into(), 3, 7.0, true));
    exec(
        &mut game,
        "world.find('hero'):set('Stats', { mood = 'Calm', tags = {}, best = nil })",
    );
    let stats = game.app.world().get::<Stats>(e).expect("stats").clone();
    assert_eq!(stats.mood, Mood::Calm);
    assert!(stats.tags.is_empty(), "{{}} is an empty list");
    assert_eq!(stats.best, Some(42), "a nil field is a field not given");
    exec(
        &mut game,
        "world.find('hero'):set('Stats', { mood = { Lost = { steps = 9 } } })",
    );
    assert_eq!(
        game.app.world().get::<Stats>(e).map(|s| s.mood.clone()),
        Some(Mood::Lost { steps: 9 })
    );
}

#[test]
fn conversion_rules_refuse_what_they_cannot_convert_faithfully() {
    let mut game = stats_game();
    let e = spawn_stats(&mut game);
    let cases = [
        (
            "{ level = 2.5 }",
            "field 'level': expected an integer, got 2.5",
        ),
        (
            "{ level = 300 }",
            "field 'level': 300 is out of range (0 to 255)",
        ),
        (
            "{ level = 0/0 }",
            "field 'level': expected an integer, got NaN",
        ),
        (
            "{ level = 'x' }",
            "field 'level': expected an integer, got string",
        ),
        (
            "{ tags = { 'a', x = 1 } }",
            "field 'tags': a table with both positional and named entries is ambiguous",
        ),
        (
            "{ tags = 'a' }",
            "field 'tags': expected a list, got string",
        ),
        (
            "{ mood = 'Happy' }",
            "field 'mood': unknown variant 'Happy' (variants: Calm, Angry, Lost)",
        ),
        (
            "{ home = { z = 1 } }",
            "field 'home.z': unknown field (fields: x, y)",
        ),
        ("{ nope = 1 }", "field 'nope': unknown field"),
        ("5", "expected a table, got integer"),
    ];
    for (value, expected) in cases {
        let message = err(
            &mut game,
            &format!("world.find('hero'):set('Stats', {value})"),
        );
        assert!(
            message.contains(&format!("bad value for component Stats, {expected}"))
                || message.contains(expected),
            "{value}: {message}"
        );
    }
    assert_eq!(
        game.app.world().get::<Stats>(e),
        Some(&Stats::default()),
        "a refused set changes nothing"
    );
    exec(
        &mut game,
        "world.find('hero'):set('Stats', { ratio = 0/0 })",
    );
    assert!(
        game.app
            .world()
            .get::<Stats>(e)
            .is_some_and(|s| s.ratio.is_nan()),
        "NaN passes through a float field unchanged"
    );
}

#[test]
fn a_component_without_default_is_added_only_from_a_whole_table() {
    let mut game = stats_game();
    let e = spawn_stats(&mut game);
    let message = err(&mut game, "world.find('hero'):set('Marker', {})");
    assert!(message.contains("Marker"), "{message}");
    exec(&mut game, "world.find('hero'):set('Marker', { id = 7 })");
    assert_eq!(game.app.world().get::<Marker>(e), Some(&Marker { id: 7 }));
    exec(&mut game, "world.find('hero'):set('Marker', { id = 8 })");
    assert_eq!(game.app.world().get::<Marker>(e), Some(&Marker { id: 8 }));
}

#[test]
fn ambiguous_short_names_list_the_full_paths() {
    mod other {
        use super::*;
        #[derive(Component, Reflect, Default)]
        #[reflect(Component, Default)]
        pub struct Stats {
            pub hp: i32,
        }
    }
    let mut game = stats_game();
    game.app.register_type::<other::Stats>();
    let e = spawn_stats(&mut game);
    let message = err(&mut game, "world.find('hero'):get('Stats')");
    assert!(
        message.contains("the name is ambiguous; use one of:"),
        "{message}"
    );
    let path = <other::Stats as bevy_reflect::TypePath>::type_path();
    let hp: i64 = eval(
        &mut game,
        &format!(
            "local e = world.find('hero'); e:set({path:?}, {{ hp = 3 }}); return e:get({path:?}).hp"
        ),
    )
    .expect("full path");
    assert_eq!(hp, 3);
    assert!(game.app.world().get::<other::Stats>(e).is_some());
}

#[test]
fn scripts_see_rust_spawned_entities_and_bevys_name() {
    let mut game = game(&repo_assets());
    let a = game
        .app
        .world_mut()
        .spawn((Transform::default(), Name::new("rusty")))
        .id();
    game.app.world_mut().spawn(Transform::default());
    let (count, found, same): (i64, i64, bool) = eval(
        &mut game,
        "local n = 0 for _ in world.query('Transform') do n = n + 1 end
         local e = world.find('rusty')
         return world.count(), n, e ~= nil and e:get('Name') == 'rusty'",
    )
    .expect("query");
    assert_eq!((count, found, same), (2, 2, true));
    let id: i64 = eval(&mut game, "return world.find('rusty'):id()").expect("id");
    assert_eq!(id as u64, a.to_bits());
}

#[test]
fn a_set_is_seen_by_a_later_get_of_another_script_and_by_rust_after_the_phase() {
    let dir = temp_assets(&[
        (
            "writer.lua",
            "return { update = function(self) self.entity:set('Position', { x = time.frame }) end }",
        ),
        (
            "reader.lua",
            "return { update = function(self)
               local w = world.find('w')
               self.seen = w:get('Position').x
               log.info('seen', self.seen)
             end }",
        ),
    ]);
    let mut game = game(dir.path());
    exec(
        &mut game,
        "world.spawn{ name = 'w', script = 'writer.lua', Position = { x = -1 } }
         world.spawn{ name = 'r', script = 'reader.lua' }",
    );
    step(&mut game, 3);
    let seen: f64 = eval(
        &mut game,
        "return world.find('r'):script('reader.lua').seen",
    )
    .expect("seen");
    let frame: f64 = eval(&mut game, "return time.frame").expect("frame");
    assert_eq!(
        seen, frame,
        "the reader ran after the writer in the same frame"
    );
    let w = common::entity_named(&mut game, "w");
    let x = game.app.world().get::<Position>(w).map(|p| p.x);
    assert_eq!(x, Some(frame), "Rust sees Lua's write after the phase");
    // Rust's changes before a phase are what Lua reads in it.
    game.app
        .world_mut()
        .run_system_once(|mut q: Query<&mut Position>| {
            for mut p in &mut q {
                p.y = 99.0;
            }
        })
        .expect("system");
    let y: f64 = eval(&mut game, "return world.find('w'):get('Position').y").expect("y");
    assert_eq!(y, 99.0);
}

use bevy_ecs::system::RunSystemOnce as _;
