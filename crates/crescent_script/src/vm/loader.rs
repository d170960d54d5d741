//! Loading scripts and modules from the assets root: each file compiled once per runtime,
//! through one pipeline.
//!
//! Every file, first load or reload, script or module, goes the same way: resolve
//! `path` (an override from `t:reload` wins over the disk), compile it as `@path` in a
//! fresh environment, run its top level under the budget while recording what it
//! `require`s, then check what it returned: a script must return a table of handlers, a
//! module may return anything (`nil` counts as `true`, as in Lua).

use std::{
    cell::RefCell,
    collections::{BTreeMap, BTreeSet, HashMap},
    path::PathBuf,
};

use mlua::{Function, Lua, Table, Value};

use super::{
    Vm,
    compile::compile_file,
    paths::{module_path, normalize_path},
    sandbox::{self, STD_LIBS},
    script_table::{carry_data, collect_handlers},
};
use crate::data::error::CrescentError;

/// A compiled script file: its path and the handler functions every instance shares.
#[derive(Debug)]
struct LoadedScript {
    path: String,
    handlers: Vec<(String, Function)>,
}

/// Compiled scripts of one runtime, by path relative to the assets root, and what each
/// file `require`d while it loaded (for hot reload).
#[derive(Debug, Default)]
struct ScriptCache {
    root: PathBuf,
    scripts: Vec<LoadedScript>,
    by_path: HashMap<String, usize>,
    /// Sources that replace files on disk (`t:reload`, tests).
    overrides: HashMap<String, Vec<u8>>,
    /// Module paths each file required while loading (a `BTreeMap`, so dependents of a
    /// reloaded module are found, and re-run, in one order in every process).
    requires: BTreeMap<String, BTreeSet<String>>,
    /// Loaded modules: path -> module name.
    modules: BTreeMap<String, String>,
    /// Files being loaded right now, innermost last.
    loading: Vec<String>,
}

/// The script cache and `package.loaded`.
#[derive(Debug, Default)]
pub(crate) struct Loader {
    cache: RefCell<ScriptCache>,
    package_loaded: RefCell<Option<Table>>,
}

/// What a file is loaded as.
#[derive(Clone, Copy)]
enum FileKind<'a> {
    Script,
    Module(&'a str),
}

/// Where loading a file failed.
enum Failed {
    /// Reading or compiling it.
    Compile(CrescentError),
    /// Running its top level.
    Run(mlua::Error),
}

impl Loader {
    pub(super) fn new(root: PathBuf) -> Self {
        Self {
            cache: RefCell::new(ScriptCache {
                root,
                ..ScriptCache::default()
            }),
            package_loaded: RefCell::default(),
        }
    }

    /// The path of script `index`.
    pub(crate) fn path(&self, index: usize) -> String {
        self.cache
            .borrow()
            .scripts
            .get(index)
            .map_or_else(|| "<unknown script>".to_owned(), |s| s.path.clone())
    }

    /// The handlers of script `index`, by event name, in registration order.
    pub(crate) fn handlers(&self, index: usize) -> Vec<(String, Function)> {
        self.cache
            .borrow()
            .scripts
            .get(index)
            .map(|s| s.handlers.clone())
            .unwrap_or_default()
    }

    /// The cache index of a loaded script.
    pub(crate) fn index_of(&self, path: &str) -> Option<usize> {
        self.cache.borrow().by_path.get(path).copied()
    }

    /// The module name a loaded module file was required as.
    pub(crate) fn module_name(&self, path: &str) -> Option<String> {
        self.cache.borrow().modules.get(path).cloned()
    }

    /// Makes `source` replace the file at `path` from now on.
    pub(crate) fn set_override(&self, path: &str, source: Vec<u8>) {
        self.cache
            .borrow_mut()
            .overrides
            .insert(path.to_owned(), source);
    }

    /// Files that required the module at `path` while loading, sorted.
    pub(crate) fn users_of(&self, path: &str) -> Vec<String> {
        let cache = self.cache.borrow();
        let mut users: Vec<String> = cache
            .requires
            .iter()
            .filter(|(_, requires)| requires.contains(path))
            .map(|(file, _)| file.clone())
            .collect();
        users.sort();
        users
    }

    fn read(&self, path: &str) -> Result<Vec<u8>, CrescentError> {
        let cache = self.cache.borrow();
        if let Some(source) = cache.overrides.get(path) {
            return Ok(source.clone());
        }
        let resolved = cache.root.join(path);
        // Symbolic links are followed only while they stay inside the assets root: a
        // script cannot read a file elsewhere through a link planted in the folder.
        if let (Ok(root), Ok(real)) = (cache.root.canonicalize(), resolved.canonicalize())
            && !real.starts_with(&root)
        {
            return Err(CrescentError::BadPath {
                path: path.to_owned(),
                reason: "it is a symbolic link (or inside one) that leads outside the assets root",
            });
        }
        std::fs::read(&resolved).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => CrescentError::ScriptNotFound {
                path: path.to_owned(),
                resolved: resolved.display().to_string(),
            },
            _ => CrescentError::Io {
                path: path.to_owned(),
                source: err,
            },
        })
    }

    /// When `path` is loading already: the chain of files from it to the one loading now
    /// and back to it (`a.lua -> b.lua -> a.lua`).
    fn cycle_through(&self, path: &str) -> Option<String> {
        let cache = self.cache.borrow();
        let from = cache.loading.iter().position(|p| p == path)?;
        let mut chain: Vec<&str> = cache.loading[from..].iter().map(String::as_str).collect();
        chain.push(path);
        Some(chain.join(" -> "))
    }

    /// Notes that the file being loaded requires the module at `path`.
    fn record_require(&self, path: &str) {
        let mut cache = self.cache.borrow_mut();
        if let Some(loader) = cache.loading.last().cloned() {
            cache
                .requires
                .entry(loader)
                .or_default()
                .insert(path.to_owned());
        }
    }

    pub(super) fn clear(&self) {
        let mut cache = self.cache.borrow_mut();
        cache.scripts.clear();
        cache.by_path.clear();
        cache.requires.clear();
        cache.modules.clear();
        self.package_loaded.borrow_mut().take();
    }
}

impl Vm {
    /// The pipeline: read, compile in a fresh environment, run the top level tracked and
    /// budgeted. What the file returned, unchecked.
    fn load_file(&self, lua: &Lua, path: &str, kind: FileKind<'_>) -> Result<Value, Failed> {
        let chunk = self
            .loader()
            .read(path)
            .and_then(|source| compile_file(lua, path, &source, sandbox::new_env(lua, self)?))
            .map_err(Failed::Compile)?;
        {
            let mut cache = self.loader().cache.borrow_mut();
            cache.requires.remove(path);
            cache.loading.push(path.to_owned());
        }
        let result = {
            let _scope = self.enter(None);
            match kind {
                FileKind::Script => chunk.call::<Value>(()),
                FileKind::Module(name) => chunk.call::<Value>((name, path)),
            }
        };
        self.loader().cache.borrow_mut().loading.pop();
        match (result, kind) {
            (Ok(Value::Nil), FileKind::Module(_)) => Ok(Value::Boolean(true)),
            (result, _) => result.map_err(Failed::Run),
        }
    }

    /// A script file's handlers, loaded through the pipeline (not cached).
    fn script_handlers(
        &self,
        lua: &Lua,
        path: &str,
    ) -> Result<Vec<(String, Function)>, CrescentError> {
        match self.load_file(lua, path, FileKind::Script) {
            Ok(Value::Table(table)) => collect_handlers(path, &table),
            Ok(other) => Err(CrescentError::NotATable {
                path: path.to_owned(),
                got: other.type_name().to_owned(),
            }),
            Err(Failed::Compile(err)) => Err(err),
            Err(Failed::Run(err)) => Err(CrescentError::LoadFailed {
                path: path.to_owned(),
                message: crate::data::error::split_lua_error(&err).0,
            }),
        }
    }

    /// Loads a script by path (compiling it on first use); returns its cache index.
    pub(crate) fn load_script(&self, lua: &Lua, path: &str) -> Result<usize, CrescentError> {
        let path = normalize_path(path)?;
        if let Some(index) = self.loader().index_of(&path) {
            return Ok(index);
        }
        let handlers = self.script_handlers(lua, &path)?;
        let mut cache = self.loader().cache.borrow_mut();
        let index = cache.scripts.len();
        cache.scripts.push(LoadedScript {
            path: path.clone(),
            handlers,
        });
        cache.by_path.insert(path, index);
        Ok(index)
    }

    /// Recompiles a loaded script and replaces its cached handlers; returns its index.
    /// On failure the old handlers stay.
    pub(crate) fn reload_script(
        &self,
        lua: &Lua,
        path: &str,
    ) -> Result<Option<usize>, CrescentError> {
        let Some(index) = self.loader().index_of(path) else {
            return Ok(None);
        };
        let handlers = self.script_handlers(lua, path)?;
        if let Some(script) = self.loader().cache.borrow_mut().scripts.get_mut(index) {
            script.handlers = handlers;
        }
        Ok(Some(index))
    }

    /// Re-runs a module; its new table replaces the old one in `package.loaded`, with the
    /// old table's data fields (non-functions the new one also has) carried over.
    pub(crate) fn reload_module(
        &self,
        lua: &Lua,
        path: &str,
        name: &str,
    ) -> Result<(), CrescentError> {
        let fresh = match self.load_file(lua, path, FileKind::Module(name)) {
            Ok(value) => value,
            Err(Failed::Compile(err)) => return Err(err),
            Err(Failed::Run(err)) => return Err(CrescentError::Lua(err)),
        };
        let loaded = self.package_loaded()?;
        if let (Value::Table(old), Value::Table(new)) = (loaded.raw_get::<Value>(name)?, &fresh) {
            carry_data(&old, new)?;
        }
        loaded.raw_set(name, fresh)?;
        Ok(())
    }

    fn package_loaded(&self) -> Result<Table, CrescentError> {
        self.loader()
            .package_loaded
            .borrow()
            .clone()
            .ok_or(CrescentError::RuntimeClosed)
    }

    /// `require(name)`: a standard library by name, else the module `a/b.lua` for `a.b`,
    /// loaded once per runtime.
    fn require(&self, lua: &Lua, libs: &Table, name: &str) -> mlua::Result<Value> {
        // A standard library comes back as a fresh copy, so no caller can change it for others.
        if let Some(lib) = libs.raw_get::<Option<Table>>(name)? {
            return Ok(Value::Table(sandbox::shallow_copy(lua, &lib)?));
        }
        let (name, path) = module_path(name)?;
        let name = name.as_str();
        self.loader().record_require(&path);
        let loaded = self.package_loaded()?;
        if let Some(value) = loaded.raw_get::<Option<Value>>(name)?
            && value != Value::Nil
        {
            return Ok(value);
        }
        if let Some(cycle) = self.loader().cycle_through(&path) {
            return Err(mlua::Error::runtime(format!(
                "cyclic require of '{name}': {cycle} (a module cannot require, directly or \
                 through others, a module that is still loading)"
            )));
        }
        let value = match self.load_file(lua, &path, FileKind::Module(name)) {
            Ok(value) => value,
            Err(Failed::Compile(err)) => {
                return Err(mlua::Error::runtime(format!(
                    "module '{name}' not found or broken: {err}"
                )));
            }
            Err(Failed::Run(err)) => return Err(err),
        };
        loaded.raw_set(name, value.clone())?;
        self.loader()
            .cache
            .borrow_mut()
            .modules
            .insert(path, name.to_owned());
        Ok(value)
    }
}

/// Installs `require` and the runtime's `package` table, whose `loaded` holds the
/// modules only (each environment gets its own `package` over it: see the sandbox).
/// Modules load from the assets root only, once per runtime, each in its own environment.
pub(super) fn install_require(
    lua: &Lua,
    loader: &Loader,
    globals: &Table,
) -> Result<(), CrescentError> {
    let package = lua.create_table()?;
    let loaded = lua.create_table()?;
    let libs = lua.create_table()?;
    for lib in STD_LIBS {
        let table: Table = globals.raw_get(lib)?;
        libs.raw_set(lib, table)?;
    }
    package.raw_set("loaded", loaded.clone())?;
    package.raw_set("config", "/\n;\n?\n!\n-\n")?;
    globals.raw_set("package", package)?;
    *loader.package_loaded.borrow_mut() = Some(loaded);
    let require =
        lua.create_function(move |lua, name: String| Vm::of(lua)?.require(lua, &libs, &name))?;
    globals.raw_set("require", require)?;
    Ok(())
}
