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
  local path = req.url:sub(8)
  local st = cfs.stat(path)
  if st and cfg.max_bytes and st.size > cfg.max_bytes then   -- the same cap as for the web
    return { url = req.url, status = 0,
      err = string.format('body larger than the %d byte limit', cfg.max_bytes) }
  end
  local body, err = cfs.read(path)
  if not body then return { url = req.url, err = err, status = 0 } end
  return { url = req.url, final_url = req.url, status = 200, body = body, bytes = #body, seconds = 0 }
end

--- Iterate over results for reqs = { {url, etag, last_modified, parse, known}, ... }
--- (parse and known: see orrery._fetch; local files are never parsed here).
--- Each result has `req` set to its request.  Usage: for res in fetch.each(reqs, cfg) do
---@param reqs table[]
---@param cfg table planet config (concurrency, timeouts, limits)
function M.each(reqs, cfg)
  local remote, locals = {}, {}
  for _, r in ipairs(reqs) do
    if r.url:match('^file://') then locals[#locals + 1] = r else remote[#remote + 1] = r end
  end
  local batch = #remote > 0 and cfetch.start(remote, {
    parallel = cfg.concurrency, per_host = cfg.per_host, timeout = cfg.timeout,
    connect_timeout = cfg.connect_timeout, max_bytes = cfg.max_bytes,
    max_redirects = cfg.max_redirects, user_agent = M.user_agent(cfg),
    low_speed_time = cfg.low_speed_time, low_speed_limit = cfg.low_speed_limit,
    workers = cfg.parse_threads,
  })
  local li = 0
  return function()
    if batch then
      local res = batch:next()
      if res then
        res.req = remote[res.index]
        return res
      end
      batch:close()
      batch = nil
    end
    li = li + 1
    local r = locals[li]
    if not r then return nil end
    local res = read_local(r, cfg)
    res.req = r
    return res
  end
end

--- Fetch one URL (or local path) now; returns the result table.
function M.one(url, cfg)
  local it = M.each({ { url = url } }, cfg or require('orrery.config').defaults)
  return it()
end

return M
