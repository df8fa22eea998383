--- orrery.venus: a Planet Venus / Planet 2.0 config.ini turned into a planet.lua.
---
--- The INI is read the way Python's ConfigParser reads it (sections, `key = value` or
--- `key: value`, indented continuation lines, `#` and `;` comments, a [DEFAULT] section
--- whose keys every section inherits).  [Planet] holds the planet's options; every other
--- section named by a URL is a feed.  What has an equivalent is converted; everything else
--- is listed in the report, so nothing is dropped silently.
local M = {}

--- Parse INI text.  Returns { order = { section names }, sections = { name = { order, values } } }.
function M.parse_ini(text)
  local ini = { order = {}, sections = {} }
  local cur, last_key
  local n = 0
  for line in (text .. '\n'):gmatch('([^\n]*)\n') do
    n = n + 1
    line = line:gsub('\r$', '')
    if line:match('^%s*$') or line:match('^%s*[#;]') then
      last_key = nil
    elseif line:match('^%s') and cur and last_key then      -- continuation
      cur.values[last_key] = cur.values[last_key] .. '\n' .. line:match('^%s*(.-)%s*$')
    else
      local sec = line:match('^%[(.*)%]%s*$')
      if sec then
        if not ini.sections[sec] then
          ini.sections[sec] = { order = {}, values = {} }
          ini.order[#ini.order + 1] = sec
        end
        cur, last_key = ini.sections[sec], nil
      else
        local k, v = line:match('^([^=:]-)%s*[=:]%s*(.-)%s*$')
        if not k or not cur then error(string.format('line %d: not a section, option or comment: %s', n, line), 0) end
        k = k:lower():gsub('^%s+', '')
        if cur.values[k] == nil then cur.order[#cur.order + 1] = k end
        cur.values[k] = v
        last_key = k
      end
    end
  end
  return ini
end

-- [Planet] options: how each maps onto orrery's config (a function returns key, value).
local planet_map = {
  name = 'name', link = 'link', items_per_page = 'items_per_page', days_per_page = 'days_per_page',
  date_format = 'date_format', new_date_format = 'day_format',
  owner_name = function(v) return 'owner.name', v end,
  owner_email = function(v) return 'owner.email', v end,
  activity_threshold = 'activity_threshold', new_feed_items = 'new_feed_items',
  feed_timeout = 'timeout', spider_threads = 'concurrency', user_agent = 'user_agent',
  cache_keep_entries = 'keep_entries',
  locale = function(v)
    if require('orrery.locale').language(v) then return 'locale', v end
    return nil, 'locale = ' .. v .. ': orrery has no month and day names for it (dates stay English)'
  end,
  filter = function(v)
    local pats, why = M.regex_patterns(v)
    if pats then return 'filter', pats end
    return nil, 'filter = ' .. v .. ': ' .. why .. '; write it as Lua patterns (filter = {...}) by hand'
  end,
  exclude = function(v)
    local pats, why = M.regex_patterns(v)
    if pats then return 'exclude', pats end
    return nil, 'exclude = ' .. v .. ': ' .. why .. '; write it as Lua patterns (exclude = {...}) by hand'
  end,
  output_dir = 'output_dir',
  cache_directory = function(v) return 'database', v:gsub('/*$', '') .. '/orrery.db' end,
  encoding = function(v)
    if v:lower():gsub('[-_]', '') == 'utf8' then return nil end    -- what orrery always writes
    return nil, 'encoding = ' .. v .. ': orrery writes UTF-8 only'
  end,
}
local numeric = { items_per_page = true, days_per_page = true, stale_days = true, timeout = true,
  concurrency = true, activity_threshold = true, new_feed_items = true, keep_entries = true }

-- One alternative of a Python regular expression as a Lua pattern, or nil, why.
local function regex_alternative(re)
  local out, i = {}, 1
  local classes = { w = '%w', W = '%W', d = '%d', D = '%D', s = '%s', S = '%S' }
  while i <= #re do
    local c = re:sub(i, i)
    if c == '\\' then
      local n = re:sub(i + 1, i + 1)
      if classes[n] then out[#out + 1] = classes[n]
      elseif n == 'b' then
        -- a word boundary: before a word (at the start, or before a word character) or after one
        local nxt = re:sub(i + 2, i + 2)
        out[#out + 1] = (i == 1 or nxt:match('[%w\\]')) and '%f[%w]' or '%f[%W]'
      elseif n:match('%p') then out[#out + 1] = '%' .. n
      else return nil, 'the escape \\' .. n .. ' has no Lua pattern equivalent' end
      i = i + 2
    elseif c == '[' then
      local j = re:find(']', i + 2, true)
      if not j then return nil, 'an unclosed [' end
      local set = re:sub(i, j):gsub('\\([wdsWDS])', '%%%1'):gsub('\\(%p)', '%%%1')
      out[#out + 1] = set
      i = j + 1
    elseif c == '(' or c == ')' or c == '{' or c == '}' then
      return nil, 'groups and counted repeats ({n}) have no Lua pattern equivalent'
    elseif c == '-' or c == '%' then
      out[#out + 1] = '%' .. c
      i = i + 1
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

--- A Venus filter/exclude (a Python regular expression) as a list of Lua patterns, any of
--- which may match (its top-level alternatives); nil, why when it cannot be written so.
--- orrery matches without regard to case, so a leading (?i) goes.
function M.regex_patterns(re)
  re = re:gsub('^%(%?i%)', '')
  local alts, depth, cur = {}, 0, {}
  for i = 1, #re do
    local c = re:sub(i, i)
    if c == '|' and depth == 0 and re:sub(i - 1, i - 1) ~= '\\' then
      alts[#alts + 1] = table.concat(cur)
      cur = {}
    else
      if c == '(' then depth = depth + 1 elseif c == ')' then depth = depth - 1 end
      cur[#cur + 1] = c
    end
  end
  alts[#alts + 1] = table.concat(cur)
  local out = {}
  for _, a in ipairs(alts) do
    if a == '' then return nil, 'an empty alternative' end
    local p, why = regex_alternative(a)
    if not p then return nil, why end
    out[#out + 1] = p
  end
  return out
end

-- What a setting without an equivalent is, for the report.
local planet_notes = {
  log_level = 'use orrery run -q, or its exit status and --json',
  filters = 'Venus filters are Python/XSLT/sed: write an orrery recipe instead',
  filter_directories = 'recipes live in recipes_dir',

  bill_of_materials = 'copy static files into the layout directory',
  output_theme = 'copy and edit a layout directory (layout = ...)',
}

local feed_map = { name = 'name', face = 'face', link = 'link', title = 'title' }
-- feed keys that templates read as channel_<key>: kept as the feed's template variables
local feed_vars = { facewidth = true, faceheight = true }

local lua_string = require('orrery.util').lua_literal

-- A file a Venus config names: Planet ran from the site's root, so a relative path is
-- looked up next to the config, then in the directories above it.  Returns an absolute
-- path, or nil.
local function find_file(rel, base)
  local fs = require('orrery._fs')
  if rel:sub(1, 1) == '/' then return fs.stat(rel) and rel or nil end
  local dir = base
  for _ = 1, 3 do
    if not dir or dir == '' then break end
    local p = dir .. '/' .. rel
    if fs.stat(p) then return fs.realpath(p) or p end
    dir = dir:match('^(.*)/[^/]*$')
  end
  return nil
end

--- Convert INI text.  Returns the planet.lua text, the report (a list of lines) and the
--- number of feeds; raises "line N: ..." for text that is not INI.
---@param text string
---@param source string|nil the file name, for the header comment
function M.convert(text, source)
  local ini = M.parse_ini(text)
  local fs = require('orrery._fs')
  local base = source and (fs.realpath(source) or source):match('^(.*)/[^/]*$')
  local default = ini.sections.DEFAULT or { order = {}, values = {} }
  local report, globals, owner, feeds = {}, {}, {}, {}
  local function note(fmt, ...) report[#report + 1] = string.format(fmt, ...) end
  local planet = ini.sections.Planet or ini.sections.planet
  if not planet then note('no [Planet] section: planet options left at their defaults') end
  for _, k in ipairs(planet and planet.order or {}) do
    local v = planet.values[k]
    local map = planet_map[k]
    local key, val, why = nil, v, nil
    if type(map) == 'string' then key = map
    elseif type(map) == 'function' then key, val, why = map(v) if not key then val = nil end
    end
    if key then
      if numeric[key:match('[^.]+$')] then
        val = tonumber(val)
        if not val then why = k .. ' = ' .. v .. ': not a number' key = nil end
      end
    end
    if key and key:match('^owner%.') then owner[key:sub(7)] = val
    elseif key then
      globals[#globals + 1] = { key, val }
      if key == 'activity_threshold' then globals[#globals + 1] = { 'stale_days', val } end
    elseif k == 'template_files' then
      local list = {}
      for t in v:gmatch('%S+') do
        local path = find_file(t, base)
        if path then list[#list + 1] = path
        else note('[Planet] template_files: %s not found (next to the config or above it)', t) end
      end
      if #list > 0 then globals[#globals + 1] = { 'templates', list } end
    elseif why then note('[Planet] %s', why)
    elseif map == nil then note('[Planet] %s = %s: %s', k, v, planet_notes[k] or 'no equivalent') end
  end
  -- the site's static files (styles, images) beside the config's directory, as Planet
  -- Python keeps them: copied into the output
  local static = base and find_file('static', base)
  if static then
    globals[#globals + 1] = { 'static', { static } }
  end
  for _, sec in ipairs(ini.order) do
    if sec ~= 'Planet' and sec ~= 'planet' and sec ~= 'DEFAULT' then
      if sec:match('^%a[%w+.-]*://') then
        local s = ini.sections[sec]
        local f = { url = sec, fields = {} }
        local keys = {}
        for _, k in ipairs(default.order) do keys[#keys + 1] = k end
        for _, k in ipairs(s.order) do if default.values[k] == nil then keys[#keys + 1] = k end end
        for _, k in ipairs(keys) do
          local v = s.values[k] or default.values[k]
          if feed_map[k] then f.fields[#f.fields + 1] = { feed_map[k], v }
          elseif k == 'filters' then note('[%s] filters = %s: write an orrery recipe for this feed', sec, v)
          elseif k == 'filter' or k == 'exclude' then
            local pats, why = M.regex_patterns(v)
            if pats then f.fields[#f.fields + 1] = { k, pats }
            else note('[%s] %s = %s: %s; write it as Lua patterns by hand', sec, k, v, why) end
          elseif feed_vars[k] then f.vars = f.vars or {} f.vars[#f.vars + 1] = { k, v }
          else note('[%s] %s = %s: no equivalent', sec, k, v) end
        end
        feeds[#feeds + 1] = f
      else
        note('[%s]: not a feed (its name is not a URL); template options have no equivalent', sec)
      end
    end
  end
  local header = 'converted by `orrery import-venus` from ' .. (source or 'a Venus config') .. '.\n'
    .. 'See the report it printed for the settings that had no equivalent.'
  return M.write_planet(header, globals, owner, feeds), report, #feeds
end

--- planet.lua text: a comment, global options { {key, value} }, owner { name, email } and
--- feeds { { url =, fields = { {key, value} } } }, in the order given.
function M.write_planet(header, globals, owner, feeds)
  local out = {}
  for line in (header .. '\n'):gmatch('([^\n]*)\n') do out[#out + 1] = '-- ' .. line end
  out[#out + 1] = 'return {'
  for _, g in ipairs(globals) do
    local v = g[2]
    if type(v) == 'table' then
      out[#out + 1] = '  ' .. g[1] .. ' = {'
      for _, x in ipairs(v) do out[#out + 1] = '    ' .. lua_string(x) .. ',' end
      out[#out + 1] = '  },'
    else
      out[#out + 1] = string.format('  %s = %s,', g[1], type(v) == 'number' and tostring(v) or lua_string(v))
    end
  end
  if owner.name or owner.email then
    local parts = {}
    if owner.name then parts[#parts + 1] = 'name = ' .. lua_string(owner.name) end
    if owner.email then parts[#parts + 1] = 'email = ' .. lua_string(owner.email) end
    out[#out + 1] = '  owner = { ' .. table.concat(parts, ', ') .. ' },'
  end
  out[#out + 1] = '  feeds = {'
  for _, f in ipairs(feeds) do
    local parts = { 'url = ' .. lua_string(f.url) }
    for _, kv in ipairs(f.fields) do parts[#parts + 1] = kv[1] .. ' = ' .. lua_string(kv[2]) end
    if f.vars then
      local vs = {}
      for _, kv in ipairs(f.vars) do vs[#vs + 1] = kv[1] .. ' = ' .. lua_string(kv[2]) end
      parts[#parts + 1] = 'vars = { ' .. table.concat(vs, ', ') .. ' }'
    end
    out[#out + 1] = '    { ' .. table.concat(parts, ', ') .. ' },'
  end
  out[#out + 1] = '  },'
  out[#out + 1] = '}'
  return table.concat(out, '\n') .. '\n'
end

return M
