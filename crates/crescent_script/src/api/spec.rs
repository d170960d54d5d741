//! The whole Lua API as data: one description that `crescent types` renders as LuaLS
//! annotations and that tests check against the live bindings, so neither can drift.

use std::fmt::Write;

/// A parameter: `name` (`name?` when optional, `...` for varargs) and its LuaLS type.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The name as LuaLS writes it: `desc?` is optional, `...` takes the rest.
    pub name: &'static str,
    /// The LuaLS type, e.g. `crescent.Entity?` or `fun(t: crescent.Test)`.
    pub ty: &'static str,
}

/// A function, method or handler.
#[derive(Debug, Clone, Copy)]
pub struct Func {
    /// Its name in the table (or `[string]` for any custom handler name).
    pub name: &'static str,
    /// One line for the editor's hover.
    pub doc: &'static str,
    /// Parameters, without the implicit `self` of a method.
    pub params: &'static [Param],
    /// LuaLS types of the results, in order.
    pub returns: &'static [&'static str],
}

/// A field of a table or class.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its name (`name?` when it may be absent, `[string]` for any other key).
    pub name: &'static str,
    /// The LuaLS type.
    pub ty: &'static str,
    /// One line for the editor's hover.
    pub doc: &'static str,
}

/// How a class's functions are reached from Lua, and so how they are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A global table of plain functions and fields: `world.spawn(desc)`, `time.dt`.
    Module,
    /// A value whose functions are methods: `e:get("Position")`.
    Object,
    /// A table the script writes (or reads) whose functions are optional callback fields.
    Shape,
}

/// A class: a global module, an object type, or a table shape.
#[derive(Debug, Clone, Copy)]
pub struct Class {
    /// The LuaLS class name, e.g. `crescent.Entity`.
    pub name: &'static str,
    /// The global it is bound to (`world`, `time`, ...), if any.
    pub global: Option<&'static str>,
    /// How it is called.
    pub kind: Kind,
    /// One line for the editor's hover.
    pub doc: &'static str,
    /// Its fields.
    pub fields: &'static [Field],
    /// Its functions (module functions, methods, or handlers of a shape).
    pub functions: &'static [Func],
}

/// A named LuaLS type alias.
#[derive(Debug, Clone, Copy)]
pub struct Alias {
    /// The alias name.
    pub name: &'static str,
    /// What it stands for.
    pub ty: &'static str,
    /// One line for the editor's hover.
    pub doc: &'static str,
}

/// The whole Lua API.
#[derive(Debug, Clone, Copy)]
pub struct Api {
    /// Type aliases.
    pub aliases: &'static [Alias],
    /// Modules, object types and table shapes.
    pub classes: &'static [Class],
    /// Global functions (`test`, in test files).
    pub globals: &'static [Func],
}

impl Api {
    /// The class named `name`.
    pub fn class(&self, name: &str) -> Option<&'static Class> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// The class bound to the global `global`.
    pub fn module(&self, global: &str) -> Option<&'static Class> {
        self.classes.iter().find(|c| c.global == Some(global))
    }
}

const fn p(name: &'static str, ty: &'static str) -> Param {
    Param { name, ty }
}

const fn f(
    name: &'static str,
    doc: &'static str,
    params: &'static [Param],
    returns: &'static [&'static str],
) -> Func {
    Func {
        name,
        doc,
        params,
        returns,
    }
}

const fn field(name: &'static str, ty: &'static str, doc: &'static str) -> Field {
    Field { name, ty, doc }
}

const SELF: Param = p("self", "crescent.Self");
const COMPONENT: Param = p("component", "crescent.ComponentName");

/// The Lua API every script, `main.lua` and Lua test sees.
#[rustfmt::skip]
pub static API: Api = Api {
    aliases: &[Alias {
        name: "crescent.ComponentName",
        ty: r#""Name"|"Transform"|"GlobalTransform"|"Position"|"Velocity"|string"#,
        doc: "A component: `Name`, `Transform`, `GlobalTransform` (read-only), the demo's `Position` and `Velocity`, or any `#[reflect(Component)]` type by its short name.",
    }],
    classes: &[
        Class {
            name: "crescent.World", global: Some("world"), kind: Kind::Module,
            doc: "The game world: spawn, find and query entities, broadcast events.",
            fields: &[],
            functions: &[
                f("spawn", "Spawns an entity; its scripts load at once and `init` runs in the next attach phase.",
                    &[p("desc?", "crescent.SpawnDesc")], &["crescent.Entity"]),
                f("find", "The oldest live entity with this `Name`, or nil.",
                    &[p("name", "string")], &["crescent.Entity?"]),
                f("entity", "The handle of the entity with this id (`e:id()`; how entities travel in payloads), or nil when it is not live.",
                    &[p("id", "integer")], &["crescent.Entity?"]),
                f("count", "The number of live entities.", &[], &["integer"]),
                f("query", "Iterates, in spawn order, the live entities that have every named component.",
                    &[p("...", "crescent.ComponentName")], &["fun(): crescent.Entity?"]),
                f("broadcast", "Sends `event` to every entity with a handler for it; delivered this frame after `update`.",
                    &[p("event", "string"), p("payload?", "any")], &[]),
                f("emit", "Sends a message to Rust systems; the payload must convert to JSON.",
                    &[p("name", "string"), p("payload?", "any")], &[]),
            ],
        },
        Class {
            name: "crescent.Entity", global: None, kind: Kind::Object,
            doc: "A handle to an entity. `tostring(e)` names it; two handles of one entity are `==`; a handle outliving its entity answers as dead.",
            fields: &[],
            functions: &[
                f("id", "The entity's id, stable while it lives.", &[], &["integer"]),
                f("alive", "Whether it exists and has not been despawned.", &[], &["boolean"]),
                f("despawn", "Despawns it at the end of the script phase (idempotent); only `final` runs after.", &[], &[]),
                f("get", "A copy of a component's value, or nil if missing or the entity is dead.", &[COMPONENT], &["any"]),
                f("set", "Inserts or replaces a component (an error for a dead entity).",
                    &[COMPONENT, p("value", "any")], &[]),
                f("has", "Whether it has the component.", &[COMPONENT], &["boolean"]),
                f("remove", "Removes a component; returns whether it was there.", &[COMPONENT], &["boolean"]),
                f("send", "Sends `event` to this entity's handlers; delivered this frame after `update`.",
                    &[p("event", "string"), p("payload?", "any")], &[]),
                f("attach", "Attaches a script (loaded at once; `init` runs in the next attach phase); returns its `self`.",
                    &[p("path", "string"), p("props?", "table")], &["crescent.Self"]),
                f("detach", "Detaches the script at `path` (its `final` runs); returns whether it was attached.",
                    &[p("path", "string")], &["boolean"]),
                f("script", "The `self` of the script at `path` on this entity, or nil.",
                    &[p("path", "string")], &["crescent.Self?"]),
            ],
        },
        Class {
            name: "crescent.Time", global: Some("time"), kind: Kind::Module,
            doc: "The world's virtual clock (read-only).",
            fields: &[
                field("dt", "number", "Seconds since the last frame."),
                field("fixed_dt", "number", "Seconds per fixed step."),
                field("elapsed", "number", "Seconds since the first frame."),
                field("frame", "integer", "Frames run so far."),
            ],
            functions: &[],
        },
        Class {
            name: "crescent.TaskLib", global: Some("task"), kind: Kind::Module,
            doc: "Coroutines on the virtual clock, owned by the script instance that starts them.",
            fields: &[],
            functions: &[
                f("spawn", "Starts `fn(...)` as a task at once; it runs to its first `task.wait`.",
                    &[p("fn", "function"), p("...", "any")], &["crescent.Task"]),
                f("delay", "Starts `fn(...)` as a task once `seconds` have passed.",
                    &[p("seconds", "number"), p("fn", "function"), p("...", "any")], &["crescent.Task"]),
                f("wait", "Inside a task: waits `seconds` (default: the next frame); returns the time waited.",
                    &[p("seconds?", "number")], &["number"]),
                f("cancel", "Stops a task for good; returns whether it was still live.",
                    &[p("handle", "crescent.Task")], &["boolean"]),
            ],
        },
        Class {
            name: "crescent.Task", global: None, kind: Kind::Object,
            doc: "A task handle, for `task.cancel`.",
            fields: &[],
            functions: &[],
        },
        Class {
            name: "crescent.Log", global: Some("log"), kind: Kind::Module,
            doc: "Script messages into the game's log (values joined by spaces).",
            fields: &[],
            functions: &[
                f("info", "Logs at info level.", &[p("...", "any")], &[]),
                f("warn", "Logs at warn level.", &[p("...", "any")], &[]),
                f("error", "Logs at error level (does not raise).", &[p("...", "any")], &[]),
            ],
        },
        Class {
            name: "crescent.Self", global: None, kind: Kind::Object,
            doc: "A script instance's `self`: its entity, its props, and whatever state the script keeps.",
            fields: &[
                field("entity", "crescent.Entity", "The entity this script is attached to."),
                field("[string]", "any", "Attach-time props and the script's own state."),
            ],
            functions: &[
                f("on", "Adds a handler for `event` at run time; it is called like a script handler.",
                    &[p("event", "string"), p("fn", "fun(self: crescent.Self, ...: any)")], &["crescent.Connection"]),
            ],
        },
        Class {
            name: "crescent.Connection", global: None, kind: Kind::Object,
            doc: "A handler added with `self:on`.",
            fields: &[],
            functions: &[
                f("disconnect", "Removes the handler (idempotent).", &[], &[]),
                f("connected", "Whether the handler is still registered.", &[], &["boolean"]),
            ],
        },
        Class {
            name: "crescent.Script", global: None, kind: Kind::Shape,
            doc: "The table a script file returns; annotate it with `---@type crescent.Script`.",
            fields: &[],
            functions: &[
                f("init", "Once, on the frame the script is attached, before its first `update`.", &[SELF], &[]),
                f("update", "Every frame; `dt` in seconds.", &[SELF, p("dt", "number")], &[]),
                f("fixed_update", "Every fixed step.", &[SELF, p("dt", "number")], &[]),
                f("final", "Once, when the script is detached or its entity despawns.", &[SELF], &[]),
                f("on_reload", "After a hot reload replaced this script's handlers.", &[SELF], &[]),
                f("[string]", "A custom event, from `e:send`, `world.broadcast` or Rust.",
                    &[SELF, p("payload", "any"), p("sender", "crescent.Entity?")], &[]),
            ],
        },
        Class {
            name: "crescent.SpawnDesc", global: None, kind: Kind::Shape,
            doc: "What `world.spawn` makes: scripts, props, a name, and components by registered name.",
            fields: &[
                field("script?", "string|string[]", "Script path(s) relative to the assets root."),
                field("props?", "table<string, any>", "Copied into each script's `self` before `init`."),
                field("name?", "string", "The entity's `Name`, for `world.find`."),
                field("Position?", "crescent.Vec2", "The built-in position component."),
                field("Velocity?", "crescent.Vec2", "The built-in velocity component (units per second)."),
                field("[string]", "any", "Any other registered component, by name."),
            ],
            functions: &[],
        },
        Class {
            name: "crescent.Vec2", global: None, kind: Kind::Shape,
            doc: "The value of `Position` and `Velocity` (missing fields are 0).",
            fields: &[field("x", "number", "Horizontal."), field("y", "number", "Vertical.")],
            functions: &[],
        },
        Class {
            name: "crescent.Test", global: None, kind: Kind::Object,
            doc: "The `t` a Lua test receives (`crescent test`).",
            fields: &[],
            functions: &[
                f("step", "Runs `n` frames (default 1), each one fixed step of time.", &[p("n?", "integer")], &[]),
                f("eq", "Fails unless `actual` equals `expected` (tables compared deeply).",
                    &[p("actual", "any"), p("expected", "any"), p("message?", "string")], &[]),
                f("near", "Fails unless `actual` is within `eps` (default 1e-9) of `expected`.",
                    &[p("actual", "number"), p("expected", "number"), p("eps?", "number"), p("message?", "string")], &[]),
                f("ok", "Fails unless `value` is truthy; returns it.",
                    &[p("value", "any"), p("message?", "string")], &["any"]),
                f("raises", "Fails unless `fn` raises an error containing `needle`; returns the message.",
                    &[p("fn", "function"), p("needle?", "string")], &["string"]),
                f("errors", "The script errors reported so far.", &[], &["crescent.ScriptError[]"]),
                f("reload", "Replaces a script's source as if its file changed and hot-reloads it; returns whether anything was replaced.",
                    &[p("path", "string"), p("source", "string")], &["boolean"]),
            ],
        },
        Class {
            name: "crescent.ScriptError", global: None, kind: Kind::Shape,
            doc: "A script error, as `t:errors()` lists it.",
            fields: &[
                field("frame", "integer", "The frame it happened in (0 before the first)."),
                field("entity", "integer?", "The id of the entity whose script failed."),
                field("script", "string", "The script path."),
                field("event", "string", "The handler's event name."),
                field("message", "string", "`file:line: message`."),
                field("traceback", "string", "Lua's stack traceback."),
            ],
            functions: &[],
        },
    ],
    globals: &[f("test", "In a Lua test file: declares a test; it runs in a fresh world.",
        &[p("name", "string"), p("fn", "fun(t: crescent.Test)")], &[])],
};

/// Renders [`API`] as a LuaLS definition file (`---@meta`).
pub fn luals_annotations() -> String {
    let mut out = String::from(
        "---@meta\n\
         -- crescent Lua API for LuaLS. Generated by `crescent types`; do not edit.\n",
    );
    for alias in API.aliases {
        let _ = write!(
            out,
            "\n---{}\n---@alias {} {}\n",
            alias.doc, alias.name, alias.ty
        );
    }
    for class in API.classes {
        render_class(&mut out, class);
    }
    for func in API.globals {
        render_func(&mut out, None, func);
    }
    out
}

fn render_class(out: &mut String, class: &Class) {
    let _ = write!(out, "\n---{}\n---@class {}\n", class.doc, class.name);
    for field in class.fields {
        let _ = writeln!(out, "---@field {} {} {}", field.name, field.ty, field.doc);
    }
    if class.kind == Kind::Shape {
        for func in class.functions {
            let optional = if func.name.starts_with('[') { "" } else { "?" };
            let _ = writeln!(
                out,
                "---@field {}{optional} {} {}",
                func.name,
                fun_type(func),
                func.doc
            );
        }
        return;
    }
    let table = match class.global {
        Some(global) => {
            let _ = writeln!(out, "{global} = {{}}");
            format!("{global}.")
        }
        None => {
            let local = local_name(class.name);
            let _ = writeln!(out, "local {local} = {{}}");
            format!("{local}:")
        }
    };
    for func in class.functions {
        render_func(out, Some(&table), func);
    }
}

/// `crescent.Entity` -> `Entity`: the local a class's methods are declared on.
fn local_name(class: &str) -> &str {
    class.rsplit('.').next().unwrap_or(class)
}

fn render_func(out: &mut String, table: Option<&str>, func: &Func) {
    let _ = writeln!(out, "\n---{}", func.doc);
    for param in func.params {
        let _ = writeln!(out, "---@param {} {}", param.name, param.ty);
    }
    for ret in func.returns {
        let _ = writeln!(out, "---@return {ret}");
    }
    let names: Vec<&str> = func
        .params
        .iter()
        .map(|p| p.name.trim_end_matches('?'))
        .collect();
    let _ = writeln!(
        out,
        "function {}{}({}) end",
        table.unwrap_or(""),
        func.name,
        names.join(", ")
    );
}

/// `fun(self: crescent.Self, dt: number)`: a function's LuaLS type.
fn fun_type(func: &Func) -> String {
    let params: Vec<String> = func
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, p.ty))
        .collect();
    let mut ty = format!("fun({})", params.join(", "));
    if !func.returns.is_empty() {
        let _ = write!(ty, ": {}", func.returns.join(", "));
    }
    ty
}
