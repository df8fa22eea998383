-- orrery._pattern: Lua's patterns with a budget (src/pattern.c), what recipes match with.
-- It must say exactly what Lua's string library says, results and errors alike (checked on
-- generated patterns and subjects), and stop a pathological pattern within its budget.
local P = require('orrery._pattern')
local cutil = require('orrery._util')

local atoms = { 'a', 'b', '.', '%a', '%d', '%s', '%w', '%p', '%A', '%S', '[ab]', '[^a]', '[a-c]', '[%d_]', '%%', '%.',
  '%]', '[]]', '[^]]', 'x', '1', ' ', '-', '%-', '[%a-]', '[a-]' }
local quants = { '', '', '', '*', '+', '-', '?' }
local extras = { '(', ')', '()', '%b()', '%bxy', '%f[%a]', '%f[%s]', '%f[^%w]', '%1', '%2', '^', '$', '[', '%', '%z',
  '[^', '%b' }
local chars = { 'a', 'b', 'c', '1', '2', ' ', '(', ')', '_', '.', 'x', 'y', ']', '-', '%', 'A', '\0' }

local function gen(list, n, sep)
  local out = {}
  for i = 1, n do out[i] = list[math.random(#list)] .. (sep and sep[math.random(#sep)] or '') end
  return table.concat(out)
end

local function results(ok, ...)
  local out = { ok = ok, n = select('#', ...), ... }
  if not ok then out[1] = tostring(out[1]):gsub('^.-:%d+: ', '') end
  return out
end

local function describe_diff(name, p, s, a, b)
  local function show(r) local t = {} for i = 1, r.n do t[i] = tostring(r[i]) end return tostring(r.ok) .. ' ' .. table.concat(t, ' ') end
  return string.format('%s(%q, %q): ours %s, Lua %s', name, s, p, show(a), show(b))
end

describe('orrery._pattern', function()
  it("finds, matches, iterates and substitutes exactly as Lua's string library does", function()
    math.randomseed(2026)
    local calls = {
      function(f, s, p) return f.find(s, p) end,
      function(f, s, p, i) return f.find(s, p, i) end,
      function(f, s, p, i) return f.find(s, p, i, true) end,
      function(f, s, p, i) return f.match(s, p, i) end,
      function(f, s, p, i)
        local o = {}
        for a, b in f.gmatch(s, p, i) do o[#o + 1] = tostring(a) .. '|' .. tostring(b) if #o > 40 then break end end
        return table.concat(o, ',')
      end,
      function(f, s, p) return f.gsub(s, p, '<%0>') end,
      function(f, s, p) return f.gsub(s, p, '%1%%', 2) end,
      function(f, s, p) return f.gsub(s, p, function(a, b) return b and (tostring(a) .. tostring(b)) or nil end) end,
      function(f, s, p) return f.gsub(s, p, { a = 'A', ab = false, ['1'] = 7 }) end,
    }
    local names = { 'find', 'find(init)', 'find(plain)', 'match', 'gmatch', 'gsub', 'gsub(n)', 'gsub(fn)', 'gsub(t)' }
    local bad = {}
    for _ = 1, 6000 do
      local p, s, i = gen(atoms, math.random(0, 6), quants), gen(chars, math.random(0, 14)), math.random(-4, 6)
      if math.random() < 0.3 then p = p .. extras[math.random(#extras)] .. gen(atoms, math.random(0, 2), quants) end
      if math.random() < 0.2 then p = extras[math.random(#extras)] .. p end
      for k, call in ipairs(calls) do
        local a, b = results(pcall(call, P, s, p, i)), results(pcall(call, string, s, p, i))
        local same = a.ok == b.ok and a.n == b.n
        for j = 1, a.n do same = same and a[j] == b[j] end
        if not same and #bad < 10 then bad[#bad + 1] = describe_diff(names[k], p, s, a, b) end
      end
    end
    assert.same({}, bad)
  end)

  it('stops a pathological pattern within its budget, with a clear error', function()
    local s = string.rep('a', 30000)
    local t0 = cutil.cpu()
    P.budget(20000000)
    local ok, err = pcall(P.find, s, string.rep('a*', 30) .. 'b')
    local left = P.budget(nil)
    assert.is_false(ok)
    assert.matches('recipe stopped: its budget was spent in a pattern match', err)
    assert.equals(0, left)
    assert.is_true(cutil.cpu() - t0 < 10, 'CPU ' .. (cutil.cpu() - t0))   -- (a runaway guard, not a timing)
    -- once spent, every match refuses at once until the budget is reset
    P.budget(0)
    assert.is_false((pcall(P.match, 'x', 'x')))
    P.budget(nil)
    assert.equals('x', P.match('x', 'x'))
    -- and an ordinary match spends little of it
    P.budget(1000)
    assert.equals('world', P.match('hello world', '(%w+)$'))
    assert.is_true(P.budget(nil) > 900)
  end)
end)
