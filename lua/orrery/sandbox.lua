--- orrery.sandbox: the environment recipes run in, and the budget they run under.
---
--- A recipe gets an allow-listed environment (no io, no os.execute, no require, no load,
--- no debug) and every call into it runs in a coroutine with a count hook: past its budget
--- of VM instructions the hook raises on every further tick, so a recipe's own pcall cannot
--- swallow the stop.  One call into the string library is one instruction, so pattern
--- matching (string.find, match, gmatch, gsub, also as s:find(...)) goes through
--- orrery._pattern while a recipe runs: the same patterns, matched with a budget of steps
--- as large as the instruction budget ("a*a*a*...b" on a long page stops there).
local chtml = require('orrery._html')
local cpattern = require('orrery._pattern')
local cutil = require('orrery._util')
local util = require('orrery.util')

local M = {}

local function readonly(t, name)
  return setmetatable({}, {
    __index = t,
    __newindex = function() error(name .. ' is read-only', 2) end,
    __metatable = false,
  })
end

local function copy_lib(lib, names)
  local out = {}
  for _, n in ipairs(names) do out[n] = lib[n] end
  return out
end

-- The string library recipes use: Lua's, with the pattern functions that keep to a budget.
local bounded_string = {}
for k, v in pairs(string) do bounded_string[k] = v end
for _, k in ipairs({ 'find', 'match', 'gmatch', 'gsub' }) do bounded_string[k] = cpattern[k] end

--- The html API recipes see (documents, XPath, sanitizing, text).
M.html = readonly({
  parse = chtml.parse, sanitize = chtml.sanitize, text = chtml.text, css = chtml.css,
  resolve = chtml.resolve, escape = util.escape,
}, 'html')

--- A fresh environment for one recipe file.
---@param name string recipe name, for log lines
---@param log table orrery.log
function M.env(name, log)
  local env = {
    assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs,
    pcall = pcall, xpcall = xpcall, select = select, tonumber = tonumber, tostring = tostring,
    type = type, rawequal = rawequal, rawget = rawget, rawlen = rawlen, rawset = rawset,
    -- the string metatable is orrery's too (its __index is the real string library), and a
    -- __gc finalizer would run later, outside the recipe's budget: neither is given out
    getmetatable = function(v)
      if type(v) == 'string' then return nil end
      return getmetatable(v)
    end,
    setmetatable = function(t, mt)
      if type(mt) == 'table' and rawget(mt, '__gc') ~= nil then error('recipes may not set __gc', 2) end
      return setmetatable(t, mt)
    end,
    string = readonly(copy_lib(bounded_string, { 'byte', 'char', 'find', 'format', 'gmatch', 'gsub',
      'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper' }), 'string'),
    table = readonly(copy_lib(table, { 'concat', 'insert', 'move', 'pack', 'remove', 'sort',
      'unpack' }), 'table'),
    math = readonly(copy_lib(math, { 'abs', 'ceil', 'floor', 'fmod', 'huge', 'max',
      'maxinteger', 'min', 'mininteger', 'modf', 'pi', 'tointeger', 'type', 'ult' }), 'math'),
    utf8 = readonly(copy_lib(utf8, { 'char', 'charpattern', 'codepoint', 'codes', 'len',
      'offset' }), 'utf8'),
    os = readonly({ time = os.time, date = os.date, clock = os.clock }, 'os'),
    html = M.html,
    helpers = readonly(require('orrery.helpers'), 'helpers'),
    date = cutil.date,
    trim = util.trim,
    log = function(fmt, ...) log.info('recipe %s: ' .. fmt, name, ...) end,
  }
  env.print = function(...)
    local parts = table.pack(...)
    for i = 1, parts.n do parts[i] = tostring(parts[i]) end
    log.info('recipe %s: %s', name, table.concat(parts, '\t'))
  end
  env._G = env
  return env
end

M.MEMORY = 64 * 1024 * 1024   -- bytes a call may add to the Lua state, unless told

--- Call fn(...) under limits.  Returns true, results... or false, err.
---@param limits integer|table VM instructions, or { instructions =, memory = bytes }
--- CPU seconds spent in recipe code so far (the refresh's per-stage account).
M.cpu = 0

function M.call(limits, fn, ...)
  local budget, memory = limits, M.MEMORY
  if type(limits) == 'table' then budget, memory = limits.instructions, limits.memory or M.MEMORY end
  local co = coroutine.create(fn)
  local used, step = 0, 1000
  -- made now: once memory is refused, even building a message may fail
  local too_long = 'recipe stopped: more than ' .. budget .. ' instructions'
  local too_big = string.format('recipe stopped: more than %d bytes of memory', memory)
  local stop
  local function hook()
    if not stop then
      used = used + step
      local _, refused = cutil.memory()
      stop = refused > 0 and too_big or used > budget and too_long or nil
      if stop then
        -- from now on every instruction raises, so a pcall in the recipe cannot go on:
        -- the first instruction it runs outside that pcall ends the call.  Nothing of the
        -- recipe runs any more, so the memory limit may go, and the message say where.
        cutil.memory_limit(nil)
        debug.sethook(co, hook, '', 1)
        local at = debug.getinfo(2, 'Sl')
        if at and at.currentline and at.currentline > 0 then
          stop = at.short_src .. ':' .. at.currentline .. ': ' .. stop
        end
      end
    end
    if stop then error(stop, 0) end
  end
  debug.sethook(co, hook, '', step)
  -- the memory limit covers the whole state, garbage aside (Lua collects before refusing)
  cutil.memory_limit(cutil.memory() + memory)
  -- s:find(...) reaches the string metatable's __index: the budgeted library for the call
  local string_mt = getmetatable('')
  local plain = string_mt.__index
  string_mt.__index = bounded_string
  cpattern.budget(budget)
  local c0 = cutil.cpu('thread')
  local res = table.pack(coroutine.resume(co, ...))
  M.cpu = M.cpu + cutil.cpu('thread') - c0
  cpattern.budget(nil)
  string_mt.__index = plain
  cutil.memory_limit(nil)
  local _, refused = cutil.memory()
  if not res[1] and (stop or refused > 0) then return false, stop or too_big end
  if res[1] and coroutine.status(co) ~= 'dead' then
    return false, 'recipe yielded (recipes must not use coroutines to suspend)'
  end
  if not res[1] then
    return false, (debug.traceback(co, tostring(res[2]), 0):gsub('\nstack traceback:.*', ''))
  end
  return table.unpack(res, 1, res.n)
end

return M
