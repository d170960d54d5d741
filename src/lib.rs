//! crescent: Lua scripting for bevy_ecs games, headless, deterministic and fast.
//!
//! This facade re-exports the two crates ([`ecs`], [`script`]) and holds what the
//! command line builds on: [`game`] (a headless game run from an assets folder),
//! [`check`] (compiling every script without running it),
//! [`report`] (the end-of-run report) and [`testing`] (the Lua test runner).
//!
//! ```no_run
//! use crescent::game::{Game, GameConfig};
//!
//! let mut game = Game::new(GameConfig::new("assets"))?;
//! game.run_main("main.lua")?;
//! for _ in 0..600 {
//!     game.step();
//! }
//! println!("{}", game.report().to_text());
//! # Ok::<(), crescent::game::GameError>(())
//! ```

pub mod check;
pub mod game;
pub mod report;
pub mod testing;

pub use crescent_ecs as ecs;
pub use crescent_script as script;

/// The README's Rust snippets, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
