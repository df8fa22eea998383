--- orrery.recipe: finding, loading and running per-site recipes.
---
--- A recipe is a Lua file that returns a table with any of these hooks:
---   fix(body, ctx)     -> body        raw bytes before parsing
---   scrape(body, ctx)  -> feed        build the feed yourself (sites without a feed)
---   feed(feed, ctx)    -> feed        the whole feed after parsing
---   entry(entry, ctx)  -> entry|nil [, why]   each entry; nil drops it (why: what
---                      `orrery why` says about it)
---   article(doc, entry, ctx) -> html|Node|nil   the article in the page an entry links to
---                      (feeds with full_article; nil: orrery's readability scoring decides)
--- and the field full_article = true | 'always' (the default for feeds using the recipe).
--- It runs in orrery.sandbox; ctx = { url, name, options, html, log }.
--- Lookup: <planet recipes_dir>/<name>.lua, then <orrery home>/recipes/<name>.lua.
local log = require('orrery.log')
local sandbox = require('orrery.sandbox')

local M = {}

local cache = {}

--- Where a recipe file lives, or nil.
function M.find(name, dirs)
  if not name:match('^[%w_.-]+$') or name:find('%.%.') then return nil end
  for _, d in ipairs(dirs) do
    local path = d .. '/' .. name .. '.lua'
    local f = io.open(path, 'r')
    if f then f:close() return path end
  end
  return nil
end

--- The directories searched, planet's first.
function M.dirs(cfg)
  local dirs = {}
  if cfg and cfg.recipes_dir then dirs[#dirs + 1] = cfg.recipes_dir end
  dirs[#dirs + 1] = (ORRERY_HOME or '.') .. '/recipes'
  return dirs
end

--- Load a recipe by name.  Returns the recipe table or nil, err.
---@param name string
---@param dirs string[]
function M.load(name, dirs)
  local path = M.find(name, dirs)
  if not path then return nil, string.format('recipe %q not found in %s', name, table.concat(dirs, ', ')) end
  -- cached by path and content: an edited recipe is picked up (orrery repl's try()), and its
  -- key changes with any edit, even one within the same second that keeps its size
  local f = assert(io.open(path, 'rb'))
  local src = f:read('a')
  f:close()
  local key = path .. '@' .. require('orrery._util').hash(src)
  if cache[key] then return cache[key] end
  local env = sandbox.env(name, log)
  local chunk, err = load(src, '@' .. path, 't', env)
  if not chunk then return nil, err end
  local ok, r = sandbox.call(200000000, chunk)
  if not ok then return nil, r end
  if type(r) ~= 'table' then return nil, path .. ': a recipe must return a table' end
  for k, v in pairs(r) do
    if (k == 'fix' or k == 'scrape' or k == 'feed' or k == 'entry' or k == 'article') and type(v) ~= 'function' then
      return nil, path .. ': ' .. k .. ' must be a function'
    end
  end
  r.path = path
  r.name = name
  r.key = key        -- what identifies this version of the recipe (planet's document key)
  cache[key] = r
  return r
end

--- Run hook `name` of recipe r with args; returns true, result or false, err.
function M.call(r, name, budget, ...)
  local fn = r[name]
  if not fn then return true, (...) end
  return sandbox.call(budget, fn, ...)
end

--- Apply the entry and feed hooks to a parsed feed.  Returns feed or nil, err.
---@param r table recipe
---@param feed table
---@param ctx table
---@param budget integer
function M.apply(r, feed, ctx, budget)
  -- what the recipe leaves out is recorded (feed.dropped: `orrery why` names the recipe)
  local dropped = {}
  if r.feed then
    local before = feed.entries or {}
    local ok, res = M.call(r, 'feed', budget, feed, ctx)
    if not ok then return nil, res end
    if type(res) ~= 'table' then return nil, r.path .. ': feed() must return the feed' end
    local kept = {}
    for _, e in ipairs(res.entries or {}) do kept[e] = true end
    for _, e in ipairs(before) do
      if not kept[e] then
        dropped[#dropped + 1] = { guid = e.guid, link = e.link, title = e.title,
          reason = 'the recipe ' .. r.name .. ' left it out (its feed() function)' }
      end
    end
    feed = res
  end
  if r.entry then
    local kept = {}
    for _, e in ipairs(feed.entries or {}) do
      local guid, link, title = e.guid, e.link, e.title
      local ok, res, why = M.call(r, 'entry', budget, e, ctx)
      if not ok then return nil, res end
      if res ~= nil then
        if type(res) ~= 'table' then return nil, r.path .. ': entry() must return an entry or nil' end
        kept[#kept + 1] = res
      else
        dropped[#dropped + 1] = { guid = guid, link = link, title = title,
          reason = 'the recipe ' .. r.name .. ' dropped it: ' .. (type(why) == 'string' and why:sub(1, 300)
            or 'its entry() function returned nil') }
      end
    end
    feed.entries = kept
  end
  feed.dropped = dropped
  return feed
end

return M
