//! Loading scripts and modules from the assets root: each file compiled once per runtime.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::{Component, Path, PathBuf},
};

use mlua::{Function, Lua, Table, Value, chunk::ChunkMode};

use crate::{CrescentError, registry::EventId, runtime::Ctx};

/// Handler names with a fixed meaning; their fields must be functions.
pub const LIFECYCLE_HANDLERS: [&str; 5] = ["init", "update", "fixed_update", "final", "on_reload"];

/// A compiled script file: its table and the handler functions every instance shares.
#[derive(Debug)]
pub(crate) struct LoadedScript {
    pub path: String,
    pub handlers: Vec<(EventId, Function)>,
}

/// Compiled scripts of one runtime, by path relative to the assets root, and what each
/// file `require`d while it loaded (for hot reload).
#[derive(Debug)]
pub(crate) struct ScriptCache {
    root: PathBuf,
    scripts: Vec<LoadedScript>,
    by_path: HashMap<String, usize>,
    /// Sources that replace files on disk (`t:reload`, tests).
    pub overrides: HashMap<String, Vec<u8>>,
    /// Module paths each file required while loading.
    pub requires: HashMap<String, BTreeSet<String>>,
    /// Loaded modules: path -> module name.
    pub modules: BTreeMap<String, String>,
    /// Files being loaded right now, innermost last.
    loading: Vec<String>,
}

impl ScriptCache {
    pub(crate) fn new(root: PathBuf) -> Self {
        Self {
            root,
            scripts: Vec::new(),
            by_path: HashMap::new(),
            overrides: HashMap::new(),
            requires: HashMap::new(),
            modules: BTreeMap::new(),
            loading: Vec::new(),
        }
    }

    pub(crate) fn index_of(&self, path: &str) -> Option<usize> {
        self.by_path.get(path).copied()
    }

    pub(crate) fn set_handlers(&mut self, index: usize, handlers: Vec<(EventId, Function)>) {
        if let Some(script) = self.scripts.get_mut(index) {
            script.handlers = handlers;
        }
    }

    pub(crate) fn get(&self, index: usize) -> Option<&LoadedScript> {
        self.scripts.get(index)
    }

    pub(crate) fn path(&self, index: usize) -> &str {
        self.scripts
            .get(index)
            .map_or("<unknown script>", |s| s.path.as_str())
    }

    pub(crate) fn clear(&mut self) {
        self.scripts.clear();
        self.by_path.clear();
        self.requires.clear();
        self.modules.clear();
    }
}

/// Normalises a script path relative to the assets root, refusing anything that leaves it.
pub fn normalize_path(path: &str) -> Result<String, CrescentError> {
    let bad = |reason| CrescentError::BadPath {
        path: path.to_owned(),
        reason,
    };
    if path.is_empty() {
        return Err(bad("the path is empty"));
    }
    if path.contains('\\') || path.contains('\0') {
        return Err(bad("use '/' as separator, without NUL bytes"));
    }
    let mut parts = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => return Err(bad("'..' would leave the assets root")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(bad(
                    "absolute paths are not allowed; paths are relative to the assets root",
                ));
            }
        }
    }
    if parts.is_empty() {
        return Err(bad("the path names no file"));
    }
    Ok(parts.join("/"))
}

/// Reads and compiles `path` (relative to the assets root, or its override) into a
/// function that runs it in `env`.
pub(crate) fn compile_file(
    lua: &Lua,
    ctx: &Ctx,
    path: &str,
    env: Table,
) -> Result<Function, CrescentError> {
    let (root, source) = {
        let scripts = ctx.scripts.borrow();
        (scripts.root.clone(), scripts.overrides.get(path).cloned())
    };
    if let Some(source) = source {
        return compile_source(lua, path, &source, env);
    }
    let resolved = root.join(path);
    let source = std::fs::read(&resolved).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => CrescentError::ScriptNotFound {
            path: path.to_owned(),
            resolved: resolved.display().to_string(),
        },
        _ => CrescentError::Io {
            path: path.to_owned(),
            source: err,
        },
    })?;
    compile_source(lua, path, &source, env)
}

/// Compiles `source` as the file `path` (chunk name `@path`), as text only.
pub(crate) fn compile_source(
    lua: &Lua,
    path: &str,
    source: &[u8],
    env: Table,
) -> Result<Function, CrescentError> {
    lua.load(source)
        .set_name(format!("@{path}"))
        .set_mode(ChunkMode::Text)
        .set_environment(env)
        .into_function()
        .map_err(|err| match err {
            mlua::Error::SyntaxError { message, .. } => CrescentError::Syntax { message },
            other => CrescentError::Lua(other),
        })
}

/// Loads a script by path (compiling it on first use) and returns its cache index.
pub(crate) fn load_script(lua: &Lua, ctx: &Ctx, path: &str) -> Result<usize, CrescentError> {
    let path = normalize_path(path)?;
    if let Some(&index) = ctx.scripts.borrow().by_path.get(&path) {
        return Ok(index);
    }
    let env = crate::sandbox::new_env(lua, ctx)?;
    let chunk = compile_file(lua, ctx, &path, env)?;
    let table = run_tracked(ctx, &path, || run_script_chunk(&path, chunk))?;
    let handlers = collect_handlers(ctx, &path, &table)?;
    let mut scripts = ctx.scripts.borrow_mut();
    let index = scripts.scripts.len();
    scripts.scripts.push(LoadedScript {
        path: path.clone(),
        handlers,
    });
    scripts.by_path.insert(path, index);
    Ok(index)
}

/// Runs `f` as the loading of file `path`, so `require` calls inside it are recorded, and
/// under the instruction budget, so a file whose top level never ends cannot hang a spawn.
pub(crate) fn run_tracked<R>(ctx: &Ctx, path: &str, f: impl FnOnce() -> R) -> R {
    {
        let mut scripts = ctx.scripts.borrow_mut();
        scripts.requires.remove(path);
        scripts.loading.push(path.to_owned());
    }
    let result = {
        let _budget = ctx.budget.enter();
        f()
    };
    ctx.scripts.borrow_mut().loading.pop();
    result
}

pub(crate) fn run_script_chunk(path: &str, chunk: Function) -> Result<Table, CrescentError> {
    match chunk.call::<Value>(()) {
        Ok(Value::Table(table)) => Ok(table),
        Ok(other) => Err(CrescentError::NotATable {
            path: path.to_owned(),
            got: other.type_name().to_owned(),
        }),
        Err(err) => Err(CrescentError::LoadFailed {
            path: path.to_owned(),
            message: crate::error::split_lua_error(&err).0,
        }),
    }
}

/// The script table's handlers: lifecycle fields must be functions; other function fields
/// are custom event handlers; other values are left alone as script constants.
pub(crate) fn collect_handlers(
    ctx: &Ctx,
    path: &str,
    table: &Table,
) -> Result<Vec<(EventId, Function)>, CrescentError> {
    let mut named: Vec<(String, Function)> = Vec::new();
    for pair in table.pairs::<Value, Value>() {
        let (key, value) = pair?;
        let Value::String(key) = key else { continue };
        let key = key.to_string_lossy();
        match value {
            Value::Function(f) => named.push((key, f)),
            other if LIFECYCLE_HANDLERS.contains(&key.as_str()) => {
                return Err(CrescentError::HandlerNotFunction {
                    path: path.to_owned(),
                    field: key,
                    got: other.type_name().to_owned(),
                });
            }
            _ => {}
        }
    }
    // Table iteration order is not deterministic; handler registration order must be.
    named.sort_by(|a, b| {
        handler_rank(&a.0)
            .cmp(&handler_rank(&b.0))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut registry = ctx.registry.borrow_mut();
    Ok(named
        .into_iter()
        .map(|(name, f)| (registry.event_id(&name), f))
        .collect())
}

fn handler_rank(name: &str) -> usize {
    LIFECYCLE_HANDLERS
        .iter()
        .position(|n| *n == name)
        .unwrap_or(LIFECYCLE_HANDLERS.len())
}

/// Standard libraries `require` returns by name.
const STD_LIBS: [&str; 6] = ["string", "table", "math", "utf8", "coroutine", "os"];

/// Installs `require` and a minimal `package` table: modules load from the assets root
/// only, once per runtime, each in its own environment.
pub(crate) fn install_require(lua: &Lua, globals: &Table) -> Result<Table, CrescentError> {
    let package = lua.create_table()?;
    let loaded = lua.create_table()?;
    let libs = lua.create_table()?;
    for lib in STD_LIBS {
        let table: Table = globals.raw_get(lib)?;
        loaded.raw_set(lib, crate::sandbox::shallow_copy(lua, &table)?)?;
        libs.raw_set(lib, table)?;
    }
    package.raw_set("loaded", loaded.clone())?;
    package.raw_set("config", "/\n;\n?\n!\n-\n")?;
    loaded.raw_set("package", package.clone())?;
    globals.raw_set("package", package)?;

    let package_loaded = loaded.clone();
    let require = lua.create_function(move |lua, name: String| {
        // A standard library comes back as a fresh copy, so no caller can change it for others.
        if let Some(lib) = libs.raw_get::<Option<Table>>(name.as_str())? {
            return Ok(Value::Table(crate::sandbox::shallow_copy(lua, &lib)?));
        }
        let ctx = Ctx::of(lua)?;
        let path = module_path(&name)?;
        record_require(&ctx, &path);
        if let Some(value) = loaded.raw_get::<Option<Value>>(name.as_str())?
            && value != Value::Nil
        {
            return Ok(value);
        }
        let env = crate::sandbox::new_env(lua, &ctx)?;
        let chunk = compile_file(lua, &ctx, &path, env).map_err(|err| {
            mlua::Error::runtime(format!("module '{name}' not found or broken: {err}"))
        })?;
        let value = run_tracked(&ctx, &path, || {
            chunk.call::<Value>((name.as_str(), path.as_str()))
        })?;
        let value = if value == Value::Nil {
            Value::Boolean(true)
        } else {
            value
        };
        loaded.raw_set(name.as_str(), value.clone())?;
        ctx.scripts.borrow_mut().modules.insert(path, name);
        Ok(value)
    })?;
    globals.raw_set("require", require)?;
    Ok(package_loaded)
}

/// Notes that the file being loaded requires the module at `path`.
fn record_require(ctx: &Ctx, path: &str) {
    let mut scripts = ctx.scripts.borrow_mut();
    if let Some(loader) = scripts.loading.last().cloned() {
        scripts
            .requires
            .entry(loader)
            .or_default()
            .insert(path.to_owned());
    }
}

/// `a.b` -> `a/b.lua`, refusing names that would leave the assets root.
fn module_path(name: &str) -> Result<String, CrescentError> {
    if name.starts_with('/') || name.contains("..") || name.contains('\\') {
        return Err(CrescentError::BadPath {
            path: name.to_owned(),
            reason: "modules are named like 'a.b' and load from the assets root only",
        });
    }
    normalize_path(&format!("{}.lua", name.replace('.', "/")))
}
