//! Same inputs, same frames, same results: two runs of the demo agree exactly.

mod common;

use common::{game, repo_assets, step};
use crescent::ecs::{Name, Position};
use crescent::script::ScriptStats;

fn run_demo(frames: usize) -> (ScriptStats, Vec<(String, i64, i64)>) {
    let mut game = game(&repo_assets());
    game.run_main("main.lua").expect("main.lua");
    step(&mut game, frames);
    let world = game.app.world_mut();
    let stats = world.resource::<ScriptStats>().clone();
    let mut positions: Vec<_> = world
        .query::<(&Name, &Position)>()
        .iter(world)
        .map(|(n, p)| {
            (
                n.as_str().to_owned(),
                (p.x * 1e6) as i64,
                (p.y * 1e6) as i64,
            )
        })
        .collect();
    positions.sort();
    (stats, positions)
}

#[test]
fn two_runs_of_the_demo_are_identical() {
    let (stats_a, positions_a) = run_demo(400);
    let (stats_b, positions_b) = run_demo(400);
    assert!(positions_a.len() > 10, "the demo keeps a swarm alive");
    assert_eq!(positions_a, positions_b);
    assert_eq!(stats_a.handler_calls, stats_b.handler_calls);
    assert_eq!(
        (
            stats_a.entities,
            stats_a.instances,
            stats_a.handlers,
            stats_a.errors
        ),
        (
            stats_b.entities,
            stats_b.instances,
            stats_b.handlers,
            stats_b.errors
        )
    );
    assert_eq!(stats_a.errors, 0);
}
