//! The frame clock scripts see: `time.dt`, `time.fixed_dt`, `time.elapsed`, `time.frame`.
//!
//! The runtime sets it from bevy's `Time` at the start of every phase; tasks wake by its
//! `elapsed`. Scripts read it through a read-only view (see `sandbox`).

use std::cell::{Cell, RefCell};

use mlua::{Lua, Table};

/// The current frame's time, in Rust and in the Lua `time` table.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    frame: Cell<u64>,
    dt: Cell<f64>,
    fixed_dt: Cell<f64>,
    elapsed: Cell<f64>,
    table: RefCell<Option<Table>>,
}

impl Clock {
    /// Creates the `time` table and installs it as a global.
    pub(super) fn install(&self, lua: &Lua) -> mlua::Result<()> {
        let time = lua.create_table()?;
        *self.table.borrow_mut() = Some(time.clone());
        self.write(&time)?;
        lua.globals().raw_set("time", time)
    }

    fn write(&self, time: &Table) -> mlua::Result<()> {
        time.raw_set("dt", self.dt.get())?;
        time.raw_set("fixed_dt", self.fixed_dt.get())?;
        time.raw_set("elapsed", self.elapsed.get())?;
        time.raw_set("frame", self.frame.get())
    }

    /// Sets the frame's time.
    pub(crate) fn set(&self, frame: u64, dt: f64, fixed_dt: f64, elapsed: f64) -> mlua::Result<()> {
        self.frame.set(frame);
        self.dt.set(dt);
        self.fixed_dt.set(fixed_dt);
        self.elapsed.set(elapsed);
        match self.table.borrow().as_ref() {
            Some(time) => self.write(time),
            None => Ok(()),
        }
    }

    /// The frame number (0 before the first frame).
    pub(crate) fn frame(&self) -> u64 {
        self.frame.get()
    }

    /// Seconds since the last frame (virtual time).
    pub(crate) fn dt(&self) -> f64 {
        self.dt.get()
    }

    /// The fixed timestep, in seconds.
    pub(crate) fn fixed_dt(&self) -> f64 {
        self.fixed_dt.get()
    }

    /// Seconds since the start (virtual time).
    pub(crate) fn elapsed(&self) -> f64 {
        self.elapsed.get()
    }

    /// The `time` table, for the sandbox's read-only view.
    pub(super) fn table(&self) -> Option<Table> {
        self.table.borrow().clone()
    }

    pub(super) fn clear(&self) {
        self.table.borrow_mut().take();
    }
}
