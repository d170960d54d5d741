-- Found by the api_ops target's mutations (crash-331bf2b9..., 22 Nov 2026; raw input
-- next to this file as package_nil_in_init_fuzzed.bin), not minimised: the program the
-- target generated from it. Same root cause as package_nil_reaches_shared_modules.lua:
-- `init` runs `package = nil` (inside a pcall'd function: the assignment reaches the
-- script's environment), then `package.loaded['lib.util'] = 'poison'` writes into the
-- runtime's shared module cache; the bystander's package.loaded.injected becomes
-- 'poison' and its require("lib/util") no longer returns the module.
-- Expected once fixed: the bystander's view does not change.
local s, kept, uid, kept_ok = {}, {}, 0, true
local self_ = nil
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do for i = 1, 0 do uid = uid + 1 pcall(world.broadcast, 'u' .. uid, i) local v = world.find('victim') if v then pcall(v.send, v, 'v' .. uid, i) end pcall(world.emit, 'm' .. uid, i) end end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local v = world.find('victim') if v then pcall(v.send, v, 'poke', { n = 32 }) pcall(v.script, v, 'victim.lua') end pcall(world.broadcast, 'poke', 32) end
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local n = string.rep('x', 289) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k206', 206) pcall(setmetatable, package.loaded, {}) end
do local co = coroutine.wrap(function() for i = 1, 236 do coroutine.yield(i) end end) pcall(co) pcall(co) kept[#kept + 1] = coroutine.running() end
do for i = 1, 231 do uid = uid + 1 pcall(world.broadcast, 'u' .. uid, i) local v = world.find('victim') if v then pcall(v.send, v, 'v' .. uid, i) end pcall(world.emit, 'm' .. uid, i) end end
do local n = string.rep('x', 3681) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do local v = world.find('victim') local n = 'final' if v then pcall(v.send, v, n, 'x') end pcall(world.broadcast, n, 'x') if self_ then pcall(self_.entity.send, self_.entity, n) pcall(self_.on, self_, n, function(self, a) self.lc = a end) end end
do pcall(task.spawn, function() kept[#kept + 1] = coroutine.running() local w = task.wait(0.17) kept_ok = type(w) == 'number' end) end
do for _, co in ipairs(kept) do pcall(coroutine.resume, co, 'injected') pcall(coroutine.close, co) pcall(coroutine.status, co) end end
do pcall(function() string.x = 1; string.upper = function() return 'poison' end end) end
do pcall(require, 'lib.util.') end
do pcall(world.emit, 'p', { s = string.rep('y', 38 * 1024) }) local t = {} for i = 1, 38 * 16 do t[i] = i end pcall(world.emit, 'w', t) end
do pcall(task.spawn, function() local me = coroutine.running() kept[#kept + 1] = me pcall(coroutine.resume, me) pcall(coroutine.close, me) pcall(coroutine.yield, 27) task.wait(0) end) end
do local v = world.find('victim') local n = 'final' if v then pcall(v.send, v, n, 'x') end pcall(world.broadcast, n, 'x') if self_ then pcall(self_.entity.send, self_.entity, n) pcall(self_.on, self_, n, function(self, a) self.lc = a end) end end
do pcall(task.spawn, function() kept[#kept + 1] = coroutine.running() local w = task.wait(0.17) kept_ok = type(w) == 'number' end) end
do for i = 1, 47 do uid = uid + 1 pcall(world.broadcast, 'u' .. uid, i) local v = world.find('victim') if v then pcall(v.send, v, 'v' .. uid, i) end pcall(world.emit, 'm' .. uid, i) end end
function s.init(self)
self_ = self
do local n = string.rep('x', 113) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do for i = 1, 8 do uid = uid + 1 pcall(world.broadcast, 'u' .. uid, i) local v = world.find('victim') if v then pcall(v.send, v, 'v' .. uid, i) end pcall(world.emit, 'm' .. uid, i) end end
do if self_ then for i = 1, 0 do uid = uid + 1 pcall(self_.on, self_, 'h' .. uid, function(self, x) self.last = x end) end end end
do pcall(error, string.rep('e', 19 * 256)) pcall(error, setmetatable({}, { __tostring = function() return string.rep('t', 19) end })) end
do local co = coroutine.wrap(function() for i = 1, 255 do coroutine.yield(i) end end) pcall(co) pcall(co) kept[#kept + 1] = coroutine.running() end
do pcall(function() local s = require('string'); s.rep = nil; package = nil end) end
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k255', 255) pcall(setmetatable, package.loaded, {}) end
do if self_ then for i = 1, 28 do uid = uid + 1 pcall(self_.on, self_, 'h' .. uid, function(self, x) self.last = x end) end end end
do local v = world.find('victim') local n = 'on_reload' if v then pcall(v.send, v, n, 'x') end pcall(world.broadcast, n, 'x') if self_ then pcall(self_.entity.send, self_.entity, n) pcall(self_.on, self_, n, function(self, a) self.lc = a end) end end
do pcall(task.spawn, function() kept[#kept + 1] = coroutine.running() local w = task.wait(0.15) kept_ok = type(w) == 'number' end) end
do pcall(function() package.loaded['lib.util'] = 'poison'; package.loaded.injected = 'poison' end) end
do if self_ then for i = 1, 28 do uid = uid + 1 pcall(self_.on, self_, 'h' .. uid, function(self, x) self.last = x end) end end end
do local v = world.find('victim') local n = 'on_reload' if v then pcall(v.send, v, n, 'x') end pcall(world.broadcast, n, 'x') if self_ then pcall(self_.entity.send, self_.entity, n) pcall(self_.on, self_, n, function(self, a) self.lc = a end) end end
do pcall(function() package.loaded['lib.util'] = 'poison'; package.loaded.injected = 'poison' end) end
do if self_ then for i = 1, 233 do uid = uid + 1 pcall(self_.on, self_, 'h' .. uid, function(self, x) self.last = x end) end end end
end
function s.update(self, dt)
self_ = self
do local n = string.rep('x', 1) local v = world.find('victim') if v then pcall(v.send, v, n, 1) end pcall(world.broadcast, n) pcall(world.spawn, { name = n }) pcall(world.emit, n, {}) pcall(self_ and self_.on or print, self_, n, function() end) pcall(function() world.spawn({}):set('Name', n) end) end
do if self_ and (31 % 3 == 0) then pcall(self_.entity.detach, self_.entity, 'fuzz.lua') elseif self_ and (31 % 3 == 1) then pcall(self_.entity.attach, self_.entity, 'victim.lua') else pcall(world.find, string.rep('q', 31 * 8)) end end
do if self_ and (31 % 3 == 0) then pcall(self_.entity.detach, self_.entity, 'fuzz.lua') elseif self_ and (31 % 3 == 1) then pcall(self_.entity.attach, self_.entity, 'victim.lua') else pcall(world.find, string.rep('q', 31 * 8)) end end
end
function s.fixed_update(self, dt)
self_ = self
end
function s.final(self)
self_ = self
do local u = 0 for k, v in pairs(package.loaded) do u = u + 1 end pcall(rawset, package.loaded, 'k229', 229) pcall(setmetatable, package.loaded, {}) end
do if self_ and (27 % 3 == 0) then pcall(self_.entity.detach, self_.entity, 'fuzz.lua') elseif self_ and (27 % 3 == 1) then pcall(self_.entity.attach, self_.entity, 'victim.lua') else pcall(world.find, string.rep('q', 27 * 8)) end end
do pcall(task.spawn, function() kept[#kept + 1] = coroutine.running() local w = task.wait(0.15) kept_ok = type(w) == 'number' end) end
end
return s
