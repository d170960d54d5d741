//! [`ScriptComponentsAppExt`]: exposing Rust components to scripts from an `App`.

use bevy_app::App;
use bevy_ecs::component::{Component, Mutable};
use serde::{Serialize, de::DeserializeOwned};

use crate::frame::components::ScriptComponents;

/// Registers Rust components for scripts on an [`App`].
pub trait ScriptComponentsAppExt {
    /// Exposes `T` to Lua as `name`: `e:get(name)`, `e:set(name, t)`, `world.spawn{ [name] = t }`.
    fn register_script_component<T>(&mut self, name: &str) -> &mut Self
    where
        T: Component<Mutability = Mutable> + Serialize + DeserializeOwned;
}

impl ScriptComponentsAppExt for App {
    fn register_script_component<T>(&mut self, name: &str) -> &mut Self
    where
        T: Component<Mutability = Mutable> + Serialize + DeserializeOwned,
    {
        let world = self.world_mut();
        if !world.contains_resource::<ScriptComponents>() {
            world.insert_resource(ScriptComponents::with_builtins());
        }
        world.resource_mut::<ScriptComponents>().register::<T>(name);
        self
    }
}
