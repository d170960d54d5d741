//! Layer 4, the frame's verbs: what happens to scripts in a frame, over the
//! [registry](crate::registry), the [VM](crate::vm) and the world lent to it.
//!
//! - [`lifecycle`]: attach, `init`, detach, despawn, cleanup and `final`;
//! - [`dispatch`]: list dispatch and direct calls, each error caught;
//! - [`events`]: sending and delivering events (the queue itself is `queue`);
//! - [`tasks`]: tasks started, resumed and reported on behalf of their owner;
//! - [`reload`]: hot reload of scripts and modules;
//! - [`keys`]: the one writer of an entity's `ScriptHandlers`, `self:on` and disconnect;
//! - [`report`]: the one `ScriptError` builder, the streak rule, publishing;
//! - [`components`]: the component table, reflection and typed access, conversions;
//! - [`world_access`]: scripts' component reads and writes, with the liveness rules.
//!
//! Above: the [Lua API bindings](crate::api), which only translate Lua calls into these
//! verbs, and the [runtime](crate::runtime), which runs the phases.

pub(crate) mod components;
mod core;
pub(crate) mod dispatch;
pub(crate) mod events;
pub(crate) mod keys;
pub(crate) mod lifecycle;
mod queue;
pub(crate) mod reload;
pub(crate) mod report;
pub(crate) mod tasks;
pub(crate) mod world_access;

pub(crate) use self::core::Core;
