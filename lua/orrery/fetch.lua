--- orrery.fetch: fetching policy over orrery._fetch — what to ask for and how.
---
--- Requests carry the stored validators (conditional GET); feeds given as local paths
--- (file://) are read from disk.  Results come back one at a time as they complete, so
--- the caller parses and stores each while the others download.
local cfetch = require('orrery._fetch')
local cfs = require('orrery._fs')
local cutil = require('orrery._util')

local M = {}

--- The User-Agent: who we are and whose planet this is.
function M.user_agent(cfg)
  if cfg.user_agent then return cfg.user_agent end
  local ua = 'orrery/' .. cutil.version()
  if cfg.link and cfg.link ~= '' then ua = ua .. ' (+' .. cfg.link .. ')' end
  return ua
end

local function read_local(req, cfg)
  local path = req.url:sub(8):gsub('[?#].*$', '')
  if path:sub(-1) == '/' then path = path .. 'index.html' end   -- as a web server would
  local st = cfs.stat(path)
  if st and cfg.max_bytes and st.size > cfg.max_bytes then   -- the same cap as for the web
    return { url = req.url, status = 0,
      err = string.format('body larger than the %d byte limit', cfg.max_bytes) }
  end
  local body, err = cfs.read(path)
  if not body then return { url = req.url, err = err, status = 0 } end
  return { url = req.url, final_url = req.url, status = 200, body = body, bytes = #body, seconds = 0 }
end

-- The mirror map (cfg.mirror = { [prefix] = replacement }): a URL starting with a prefix
-- is fetched from the replacement instead (a local copy of a site, a test server), while
-- everything else still sees the real URL: results report it, relative links resolve
-- against it.  The longest prefix wins.  A map of hundreds of sites (one per feed) is
-- looked up by the lengths its keys have, not key by key: a refresh asks it twice a feed.

-- { lengths = distinct key lengths, longest first, [key] = value } for a map.
local function by_length(map)
  local t, seen = { lengths = {} }, {}
  for k, v in pairs(map) do
    t[k] = v
    if not seen[#k] then seen[#k] = true; t.lengths[#t.lengths + 1] = #k end
  end
  table.sort(t.lengths, function(x, y) return x > y end)
  return t
end

-- The longest key of t (by_length's) that url starts with, or nil.
local function longest(t, url)
  for _, n in ipairs(t.lengths) do
    local k = url:sub(1, n)
    if #k == n and t[k] then return k end
  end
end

-- The map both ways: fwd (prefix -> replacement) and back (replacement -> prefix; the
-- longest prefix when two share a replacement).
local function lookup(mirror)
  local back = {}
  for prefix, rep in pairs(mirror) do
    if not back[rep] or #prefix > #back[rep] then back[rep] = prefix end
  end
  return { fwd = by_length(mirror), back = by_length(back) }
end

local function mirrored(url, l)
  local best = longest(l.fwd, url)
  if not best then return nil end
  return l.fwd[best] .. url:sub(#best + 1)
end

-- Map a URL the mirror gave back (after redirects) to the real one: the longest
-- replacement it starts with names the site it stands for.
local function unmirrored(url, l)
  local rep = url and longest(l.back, url)
  if not rep then return url end
  return l.back[rep] .. url:sub(#rep + 1)
end

--- Iterate over results for reqs = { {url, etag, last_modified, parse, known, guard}, ... }
--- (parse, known and guard: see orrery._fetch; local files are never parsed here).
--- Each result has `req` set to its request.  Usage: for res in fetch.each(reqs, cfg) do
---@param reqs table[]
---@param cfg table planet config (concurrency, timeouts, limits)
---@param cpu table|nil adds the CPU seconds of the batch's threads to its network, hash,
---  xml and sanitize fields, once the batch is done
function M.each(reqs, cfg, cpu)
  local remote, locals = {}, {}
  local mirror = cfg.mirror and next(cfg.mirror) and cfg.mirror
  -- the stand-ins of a mirror map are hosts the planet's owner named: a guarded request
  -- (see orrery._fetch) may reach them on a private address, as it may its own host
  local stand_ins = ''
  for _, to in pairs(mirror or {}) do
    if to:match('^https?://') then stand_ins = stand_ins .. ' ' .. to end
  end
  local map = mirror and lookup(mirror)
  for _, r in ipairs(reqs) do
    local url = r.url
    if mirror then
      local m = mirrored(r.url, map)
      if m then
        -- a copy of the request, so the caller's table keeps the real URL
        local c = setmetatable({ url = m, real_url = r.url, orig = r, guard = r.guard and (r.guard .. stand_ins) },
          { __index = r })
        r = c
        url = m
      end
    end
    if url:match('^file://') then locals[#locals + 1] = r else remote[#remote + 1] = r end
  end
  -- what the caller sees: its own request, the real URLs
  local function restore(res, r)
    if r.orig then
      res.url = r.real_url
      res.final_url = unmirrored(res.final_url, map)
      res.moved_to = res.moved_to and unmirrored(res.moved_to, map)
      r = r.orig
    end
    res.req = r
    return res
  end
  local batch = #remote > 0 and cfetch.start(remote, {
    parallel = cfg.concurrency, per_host = cfg.per_host, timeout = cfg.timeout,
    connect_timeout = cfg.connect_timeout, max_bytes = cfg.max_bytes,
    max_redirects = cfg.max_redirects, user_agent = M.user_agent(cfg), host_spacing = cfg.host_spacing,
    low_speed_time = cfg.low_speed_time, low_speed_limit = cfg.low_speed_limit,
    workers = cfg.parse_threads,
  })
  local li = 0
  return function()
    if batch then
      local res = batch:next()
      if res then return restore(res, remote[res.index]) end
      batch:close()
      if cpu then
        for k, v in pairs(batch:stats()) do cpu[k] = (cpu[k] or 0) + v end
      end
      batch = nil
    end
    li = li + 1
    local r = locals[li]
    if not r then return nil end
    return restore(read_local(r, cfg), r)
  end
end

--- Fetch one URL (or local path) now; returns the result table.
function M.one(url, cfg)
  local it = M.each({ { url = url } }, cfg or require('orrery.config').defaults)
  return it()
end

return M
