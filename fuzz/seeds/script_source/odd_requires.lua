-- Odd module names: slashes, empty segments, itself, huge, missing, cyclic.
local s = {}
local names = {
  "fuzz", "fuzz.lua", "./fuzz", "fuzz/", "/fuzz", "lib/util", "lib.//util", "lib..util",
  ".lib.util", "lib.util.", "..", "../fuzz", "", "\0", "a\0b", string.rep("a.", 3000),
  string.rep("x", 5000), "string", "package", "coroutine", "_G", "fuzz\\fuzz",
}
for _, n in ipairs(names) do pcall(require, n) end
local ok, self_mod = pcall(require, "fuzz")
function s.init(self)
  for _, n in ipairs(names) do pcall(require, n) end
  pcall(require, 42)
  pcall(require)
  pcall(require, setmetatable({}, { __tostring = function() return "fuzz" end }))
end
function s.update(self, dt)
  pcall(require, "fuzz")
end
return s
