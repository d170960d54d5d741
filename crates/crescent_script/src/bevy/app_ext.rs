//! [`ScriptComponentsAppExt`]: exposing Rust components to scripts from an `App`.

use bevy_app::App;
use bevy_ecs::component::{Component, Mutable};
use serde::{Serialize, de::DeserializeOwned};

use crate::frame::components::ScriptComponents;

/// Registers Rust components for scripts on an [`App`].
pub trait ScriptComponentsAppExt {
    /// Exposes `T` to Lua as `name`: `e:get(name)`, `e:set(name, t)`, `world.spawn{ [name] = t }`.
    ///
    /// Fields convert through serde; a field of the wrong type is a Lua error naming it.
    ///
    /// ```
    /// use bevy_app::App;
    /// use bevy_ecs::component::Component;
    /// use crescent_script::prelude::*;
    /// use serde::{Deserialize, Serialize};
    ///
    /// #[derive(Component, Serialize, Deserialize)]
    /// struct Health { hp: i32 }
    ///
    /// let mut app = App::new();
    /// app.add_plugins(ScriptingPlugin::default())
    ///     .register_script_component::<Health>("Health");
    /// let double = b"local e = world.spawn{ Health = { hp = 3 } }
    ///     e:set('Health', { hp = e:get('Health').hp * 2 })";
    /// ScriptRuntime::exec(app.world_mut(), double, "double.lua")?;
    /// let world = app.world_mut();
    /// let hp: Vec<i32> = world.query::<&Health>().iter(world).map(|h| h.hp).collect();
    /// assert_eq!(hp, [6]);
    /// # Ok::<(), crescent_script::CrescentError>(())
    /// ```
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
