--- orrery.planet: the pipeline — refresh (fetch, parse, recipes, store) and render.
---
--- Every stage returns data; nothing here prints except through orrery.log.  One feed's
--- failure (network, HTTP, XML, recipe, even a bug) is recorded on that feed and the run
--- goes on with the others.
local cutil = require('orrery._util')
local fetch = require('orrery.fetch')
local json = require('orrery.json')
local parse = require('orrery.parse')
local recipe = require('orrery.recipe')
local store_mod = require('orrery.store')
local util = require('orrery.util')
local cfs = require('orrery._fs')

local M = {}

--- Open the planet's store.
function M.open_store(cfg)
  cfs.mkdirs(util.dirname(cfg.database))
  local st, err = store_mod.open(cfg.database)
  if not st then util.fail('cannot open the database: ' .. err) end
  return st
end

--- Turn one fetched document into a feed table (recipes applied, HTML sanitized).
--- Returns feed or nil, err.  Pure: touches no database.
---@param fc table feed config
---@param body string
---@param res table fetch result (url, final_url, content_type)
---@param cfg table planet config
function M.build(fc, body, res, cfg)
  local r, err
  if fc.recipe then
    r, err = recipe.load(fc.recipe, recipe.dirs(cfg))
    if not r then return nil, err end
  end
  local base = res.final_url or res.url or fc.url
  local ctx = {
    url = base, name = fc.name, options = fc.options or {}, html = require('orrery.sandbox').html,
  }
  local budget = cfg.recipe_budget or 20000000
  if r and r.fix then
    local ok, fixed = recipe.call(r, 'fix', budget, body, ctx)
    if not ok then return nil, fixed end
    if type(fixed) ~= 'string' then return nil, r.path .. ': fix() must return the body' end
    body = fixed
  end
  local feed
  if r and r.scrape then
    local ok, res2 = recipe.call(r, 'scrape', budget, body, ctx)
    if not ok then return nil, res2 end
    if type(res2) ~= 'table' then return nil, r.path .. ': scrape() must return a feed table' end
    feed = res2
    feed.format = feed.format or 'scraped'
    feed.entries = feed.entries or {}
    for _, e in ipairs(feed.entries) do
      parse.resanitize(e, nil, base)
      e.tags = e.tags or {}
      e.enclosures = e.enclosures or {}
      if type(e.published) == 'string' then e.published = cutil.date(e.published) or nil end
      if type(e.updated) == 'string' then e.updated = cutil.date(e.updated) or nil end
      e.guid = parse.entry_id(e)
    end
  else
    feed, err = parse.feed(body, { url = base, content_type = res.content_type })
    if not feed then return nil, err end
  end
  if r and (r.feed or r.entry) then
    local before = {}
    for _, e in ipairs(feed.entries) do
      before[e] = { summary = e.summary, content = e.content, title = e.title }
    end
    feed, err = recipe.apply(r, feed, ctx, budget)
    if not feed then return nil, err end
    for _, e in ipairs(feed.entries) do
      parse.resanitize(e, before[e], base)
      e.tags = e.tags or {}
      e.enclosures = e.enclosures or {}
      if not before[e] or not e.guid then e.guid = parse.entry_id(e) end
    end
  end
  return feed
end

-- Record the outcome of one fetch for feed row `row`; returns a summary line table.
local function process(cfg, st, fc, row, res, now)
  local s = { name = fc.name, url = fc.url, status = res.status, new = 0, changed = 0 }
  local upd = { last_attempt = now, last_status = res.status }
  local function failed(msg)
    s.err = msg
    upd.last_error = msg
    upd.errors = (row.errors or 0) + 1
    st:update_feed(row.id, upd)
    return s
  end
  if res.err then return failed(res.err) end
  if res.moved_to and res.moved_to ~= (row.fetch_url or row.url) then
    upd.fetch_url = res.moved_to
    s.moved_to = res.moved_to
  end
  if res.status == 304 then
    upd.last_success, upd.last_error, upd.errors = now, json.null, 0
    st:update_feed(row.id, upd)
    s.not_modified = true
    return s
  end
  if res.status == 410 then
    upd.gone = 1
    return failed('HTTP 410 Gone: the feed was removed')
  end
  if res.status < 200 or res.status > 299 then
    return failed('HTTP ' .. res.status)
  end
  -- kept even when it does not parse: it is what a person debugging the feed wants to see
  st:save_document(row.id, now, res)
  local feed, err = M.build(fc, res.body, res, cfg)
  if not feed then return failed(err) end
  local ok, terr = st:transaction(function()
    local counts = st:save_entries(row.id, feed.entries, now, cfg.future_tolerance)
    s.new, s.changed = counts.new, counts.changed
    upd.title = feed.title or json.null
    upd.link = feed.link or json.null
    upd.subtitle = feed.subtitle or json.null
    upd.icon = feed.icon or json.null
    upd.etag = res.etag or json.null
    upd.last_modified = res.last_modified or json.null
    upd.last_success, upd.last_error, upd.errors = now, json.null, 0
    if feed.bozo then upd.last_error = 'recovered from ill-formed XML: ' .. (feed.bozo_message or '') end
    st:update_feed(row.id, upd)
    return true
  end)
  if not ok then return failed('store: ' .. tostring(terr)) end
  s.entries = #feed.entries
  return s
end

--- Refresh every enabled feed.  Returns a summary { feeds = {...}, failed = n, new = n }.
---@param cfg table
---@param opts table|nil { progress = fn(done, total, summary), only = { [url] = true },
---  force = refetch gone feeds too }
function M.refresh(cfg, opts)
  opts = opts or {}
  local st = M.open_store(cfg)
  local now = os.time()
  local reqs, rows = {}, {}
  for _, fc in ipairs(cfg.feeds) do
    if fc.enabled and (not opts.only or opts.only[fc.url]) then
      local row = st:feed(fc.url, fc.name)
      rows[fc.url] = row
      if row.gone == 0 or opts.force then
        reqs[#reqs + 1] = {
          url = row.fetch_url or fc.url, etag = row.etag, last_modified = row.last_modified, fc = fc,
        }
      end
    end
  end
  local summary = { feeds = {}, failed = 0, new = 0, changed = 0, total = #reqs, started = cutil.clock() }
  local done = 0
  for res in fetch.each(reqs, cfg) do
    local fc = res.req.fc
    local ok, s = xpcall(process, debug.traceback, cfg, st, fc, rows[fc.url], res, now)
    if not ok then
      s = { name = fc.name, url = fc.url, err = 'internal error: ' .. tostring(s) }
      pcall(st.update_feed, st, rows[fc.url].id, { last_attempt = now, last_error = s.err })
    end
    pcall(st.log_fetch, st, rows[fc.url].id, now, s, res.body and #res.body, res.seconds)
    summary.feeds[#summary.feeds + 1] = s
    if s.err then summary.failed = summary.failed + 1 end
    summary.new = summary.new + (s.new or 0)
    summary.changed = summary.changed + (s.changed or 0)
    done = done + 1
    if opts.progress then opts.progress(done, #reqs, s) end
  end
  summary.seconds = cutil.clock() - summary.started
  st:close()
  return summary
end

--- Render the layout to cfg.output_dir.  Returns the list of files written.
function M.render(cfg)
  local st = M.open_store(cfg)
  local ok, res = pcall(require('orrery.layout').render, cfg, st)
  st:close()
  if not ok then
    if util.is_failure(res) then error(res, 0) end
    util.fail('render: ' .. tostring(res))
  end
  return res
end

return M
