//! The numbers-only fast path at every arity: the numbers cross as a tuple up to 12 and
//! as a list past that; both must read, write partially and refuse bad values alike.

mod common;

use bevy_ecs::{component::Component, entity::Entity, reflect::ReflectComponent};
use bevy_reflect::{Reflect, std_traits::ReflectDefault};
use common::{eval, exec, game, repo_assets};
use crescent::game::Game;

#[derive(Reflect, Default, Debug, Clone, Copy, PartialEq)]
struct Seven {
    a: f32,
    b: f32,
    c: f32,
    d: f32,
    e: f32,
    f: f32,
    g: i32,
}

/// 14 numbers: past the tuple path.
#[derive(Component, Reflect, Default, Debug, Clone, Copy, PartialEq)]
#[reflect(Component, Default)]
struct Wide {
    left: Seven,
    right: Seven,
}

/// 12 numbers: the widest tuple.
#[derive(Component, Reflect, Default, Debug, Clone, Copy, PartialEq)]
#[reflect(Component, Default)]
struct Twelve {
    n1: f64,
    n2: f64,
    n3: f64,
    n4: f64,
    n5: f64,
    n6: f64,
    n7: f64,
    n8: f64,
    n9: f64,
    n10: f64,
    n11: f64,
    n12: u16,
}

fn wide_game() -> (Game, Entity) {
    let mut game = game(&repo_assets());
    game.app.register_type::<Wide>().register_type::<Twelve>();
    let seven = |base: f32| Seven {
        a: base,
        b: base + 1.0,
        c: base + 2.0,
        d: base + 3.0,
        e: base + 4.0,
        f: base + 5.0,
        g: base as i32 + 6,
    };
    let e = game
        .app
        .world_mut()
        .spawn((
            Wide {
                left: seven(10.0),
                right: seven(20.0),
            },
            Twelve {
                n12: 12,
                ..Twelve::default()
            },
            crescent::ecs::Name::new("w"),
        ))
        .id();
    (game, e)
}

#[test]
fn a_component_of_fourteen_numbers_reads_and_writes_partially() {
    let (mut game, e) = wide_game();
    let read: (f64, f64, i64, f64, i64) = eval(
        &mut game,
        "local w = world.find('w'):get('Wide')
         return w.left.a, w.left.f, w.left.g, w.right.a, w.right.g",
    )
    .expect("get");
    assert_eq!(read, (10.0, 15.0, 16, 20.0, 26));
    exec(
        &mut game,
        "world.find('w'):set('Wide', { right = { g = 7.0 }, left = { b = -1 } })",
    );
    let w = *game.app.world().get::<Wide>(e).expect("wide");
    assert_eq!(
        (w.left.a, w.left.b, w.right.g, w.right.f),
        (10.0, -1.0, 7, 25.0)
    );
}

#[test]
fn a_component_of_twelve_numbers_reads_and_writes_partially() {
    let (mut game, e) = wide_game();
    let read: (f64, i64) = eval(
        &mut game,
        "local t = world.find('w'):get('Twelve') return t.n1, t.n12",
    )
    .expect("get");
    assert_eq!(read, (0.0, 12));
    exec(&mut game, "world.find('w'):set('Twelve', { n11 = 2.5 })");
    let t = *game.app.world().get::<Twelve>(e).expect("twelve");
    assert_eq!((t.n11, t.n12), (2.5, 12));
}

#[test]
fn bad_values_are_refused_at_every_arity_and_change_nothing() {
    let (mut game, e) = wide_game();
    let message = eval::<()>(
        &mut game,
        "world.find('w'):set('Wide', { left = { a = 0 }, right = { g = 1.5 } })",
    )
    .expect_err("a fraction for an integer");
    assert!(
        message.contains(
            "bad value for component Wide, field 'right.g': expected an integer, got 1.5"
        ),
        "{message}"
    );
    assert_eq!(game.app.world().get::<Wide>(e).expect("wide").left.a, 10.0);
    let message = eval::<()>(&mut game, "world.find('w'):set('Twelve', { n12 = -1 })")
        .expect_err("out of range");
    assert!(
        message.contains(
            "bad value for component Twelve, field 'n12': -1 is out of range (0 to 65535)"
        ),
        "{message}"
    );
}

#[test]
fn a_dead_entity_reads_as_nil_at_every_arity() {
    let (mut game, _) = wide_game();
    let gone: (bool, bool) = eval(
        &mut game,
        "local w = world.find('w')
         w:despawn()
         return w:get('Wide') == nil, w:get('Twelve') == nil",
    )
    .expect("get");
    assert_eq!(gone, (true, true));
}
