//! Layer 1, plain data: configuration, errors, keys, the ECS components and messages, stats.
//!
//! Nothing here runs Lua or owns a Lua value; every layer above builds on these types.
//! Next layer up: [`registry`](crate::registry).

pub(crate) mod components;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod keys;
pub(crate) mod limits;
pub(crate) mod messages;
pub(crate) mod stats;
