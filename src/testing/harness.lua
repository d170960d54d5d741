-- The `t` object handed to every Lua test. Loaded once per test into its fresh runtime;
-- `...` is (STEP, errors, reload): the token the runner waits for, a function that lists
-- the script errors so far, and the runtime's hot-reload entry point.
local STEP, errors, reload = ...

local function show(v, depth)
  depth = depth or 0
  if type(v) == "string" then
    return string.format("%q", v)
  end
  if type(v) ~= "table" or depth > 3 then
    return tostring(v)
  end
  local keys = {}
  for k in pairs(v) do
    keys[#keys + 1] = k
  end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then
      return a < b
    end
    return type(a) < type(b)
  end)
  local parts = {}
  for i, k in ipairs(keys) do
    if k == i then
      parts[#parts + 1] = show(v[k], depth + 1)
    else
      parts[#parts + 1] = (type(k) == "string" and k or "[" .. show(k, depth + 1) .. "]") .. " = " .. show(v[k], depth + 1)
    end
  end
  return "{ " .. table.concat(parts, ", ") .. " }"
end

local function deep_eq(a, b, seen)
  if a == b then
    return true
  end
  if type(a) ~= "table" or type(b) ~= "table" then
    return false
  end
  seen = seen or {}
  if seen[a] == b then
    return true
  end
  seen[a] = b
  for k, v in pairs(a) do
    if not deep_eq(v, b[k], seen) then
      return false
    end
  end
  for k in pairs(b) do
    if a[k] == nil then
      return false
    end
  end
  return true
end

local t = {}

--- Runs `n` frames (default 1), each advancing time by one fixed step.
function t:step(n)
  n = n or 1
  if type(n) ~= "number" or n < 0 or n % 1 ~= 0 then
    error("t:step expects a whole number of frames, got " .. show(n), 2)
  end
  coroutine.yield(STEP, n)
end

--- Fails unless `actual` equals `expected` (tables compared deeply).
function t:eq(actual, expected, message)
  if not deep_eq(actual, expected) then
    local prefix = message and (message .. ": ") or ""
    error(prefix .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

--- Fails unless `actual` is within `eps` (default 1e-9) of `expected`.
function t:near(actual, expected, eps, message)
  eps = eps or 1e-9
  if type(actual) ~= "number" or type(expected) ~= "number" or math.abs(actual - expected) > eps then
    local prefix = message and (message .. ": ") or ""
    error(prefix .. "expected " .. show(expected) .. " within " .. show(eps) .. ", got " .. show(actual), 2)
  end
end

--- Fails unless `value` is truthy.
function t:ok(value, message)
  if not value then
    error(message or ("expected a true value, got " .. show(value)), 2)
  end
  return value
end

--- Fails unless `fn` raises an error whose message contains `needle` (plain text).
function t:raises(fn, needle)
  local ok, err = pcall(fn)
  if ok then
    error("expected an error" .. (needle and (" containing " .. show(needle)) or "") .. ", but none was raised", 2)
  end
  err = tostring(err)
  if needle and not string.find(err, needle, 1, true) then
    error("expected an error containing " .. show(needle) .. ", got " .. show(err), 2)
  end
  return err
end

--- Script errors reported so far: a list of {frame, entity, script, event, message, traceback}.
function t:errors()
  return errors()
end

--- Replaces a script's source as if its file had changed, and runs the hot-reload path.
function t:reload(path, source)
  if type(path) ~= "string" or type(source) ~= "string" then
    error("t:reload expects (path, source) strings", 2)
  end
  return reload(path, source)
end

return t
