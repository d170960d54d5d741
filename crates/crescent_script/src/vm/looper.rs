//! The Lua dispatch loop: one Rust->Lua call runs a whole dispatch list.
//!
//! Handlers are called unprotected: no `pcall` per handler on the common path. When one
//! raises, the error unwinds out of the loop to Rust with the loop's cursor (`cur[1]`)
//! still naming the failed entry; the frame layer reports it and re-enters the loop after
//! it, so error isolation costs only on errors.

use std::cell::RefCell;

use crate::data::error::internal_chunk;
use mlua::{Function, Lua, MultiValue, Table, Value};

/// The loop, for `ARGS` after `self`. One loop per argument count (0 to 2), so no
/// instruction moves unused arguments. Returns the number of handlers called.
const LOOP: &str = r#"
return function(fns, selves, first, n, cur ARGS)
  local calls = 0
  for i = first, n do
    local f = fns[i]
    if f then
      cur[1] = i
      calls = calls + 1
      f(selves[i] ARGS)
    end
  end
  cur[1] = 0
  return calls
end
"#;

/// Most arguments a dispatched handler gets after `self`.
const MAX_ARGS: usize = 2;

/// The loops and their cursor.
#[derive(Debug, Default)]
pub(crate) struct Looper {
    state: RefCell<Option<(Vec<Function>, Table)>>,
}

/// A loop run that ended in an error.
pub(crate) struct LoopError {
    /// The error.
    pub(crate) error: mlua::Error,
    /// The 1-based list index that raised it; `None` when the loop itself failed.
    pub(crate) at: Option<usize>,
}

impl Looper {
    pub(super) fn install(&self, lua: &Lua) -> mlua::Result<()> {
        let loops = ["", ", a", ", a, b"]
            .iter()
            .map(|args| {
                lua.load(LOOP.replace("ARGS", args))
                    .set_name(internal_chunk("dispatch"))
                    .eval()
            })
            .collect::<mlua::Result<Vec<Function>>>()?;
        *self.state.borrow_mut() = Some((loops, lua.create_table()?));
        Ok(())
    }

    /// The list entry running now (1-based), if a loop is inside a handler.
    pub(crate) fn cursor(&self) -> Option<usize> {
        let state = self.state.try_borrow().ok()?;
        let (_, cur) = state.as_ref()?;
        let index = cur.raw_get::<i64>(1).ok()?;
        usize::try_from(index).ok().filter(|&i| i > 0)
    }

    /// Runs `fns[first..=len]` with `(selves[i], args...)`; returns the handlers called.
    pub(crate) fn run(
        &self,
        fns: &Table,
        selves: &Table,
        first: usize,
        len: usize,
        args: &[Value],
    ) -> Result<u64, LoopError> {
        let args = &args[..args.len().min(MAX_ARGS)];
        let found = self
            .state
            .borrow()
            .as_ref()
            .and_then(|(loops, cur)| Some((loops.get(args.len())?.clone(), cur.clone())));
        let Some((looper, cur)) = found else {
            return Err(LoopError {
                error: mlua::Error::runtime("the dispatch loop is not installed"),
                at: None,
            });
        };
        let mut values = MultiValue::with_capacity(args.len() + 5);
        values.push_back(Value::Table(fns.clone()));
        values.push_back(Value::Table(selves.clone()));
        values.push_back(Value::Integer(first as i64));
        values.push_back(Value::Integer(len as i64));
        values.push_back(Value::Table(cur.clone()));
        values.extend(args.iter().cloned());
        looper.call::<u64>(values).map_err(|error| {
            // What the failed handler charged that no hook counted yet (C work just
            // before its error, a coroutine's instructions) is its own, not the next
            // entry's.
            let _ = crescent_lua::take_uncounted();
            let at = self.cursor().filter(|&i| i >= first);
            match cur.raw_set(1, 0) {
                Ok(()) => LoopError { error, at },
                // A cursor left pointing at a handler would charge its budget to the next
                // loop's first entry: report that instead.
                Err(reset) => LoopError {
                    error: reset,
                    at: None,
                },
            }
        })
    }

    pub(super) fn clear(&self) {
        self.state.borrow_mut().take();
    }
}
