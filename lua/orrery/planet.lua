--- orrery.planet: the pipeline — refresh (fetch, parse, recipes, store) and render.
---
--- Every stage returns data; nothing here prints except through orrery.log.  One feed's
--- failure (network, HTTP, XML, recipe, even a bug) is recorded on that feed and the run
--- goes on with the others.
local article = require('orrery.article')
local cutil = require('orrery._util')
local fetch = require('orrery.fetch')
local heldback = require('orrery.heldback')
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
  if not st then util.fail('cannot open the database: ' .. err, 'write') end
  return st
end

--- Turn one fetched document into a feed table (recipes applied, HTML sanitized).
--- Returns feed or nil, err.  Pure: touches no database.
---@param fc table feed config
---@param body string
---@param res table fetch result (url, final_url, content_type; feed or parse_err when
---  orrery._fetch parsed it already)
---@param cfg table planet config
function M.build(fc, body, res, cfg)
  local r, err
  if fc.recipe then
    r, err = recipe.load(fc.recipe, recipe.dirs(cfg))
    if not r then return nil, err end
  end
  -- the base of relative links: where the document came from, without user:password@
  local base = res.final_url or res.url or fc.url
  base = require('orrery._feed').url(base) or base
  local ctx = {
    url = base, name = fc.name, options = fc.options or {}, html = require('orrery.sandbox').html,
  }
  local budget = { instructions = cfg.recipe_budget or 20000000, memory = cfg.recipe_memory }
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
    end
  else
    local links
    if (res.feed or res.parse_err) and not (r and r.fix) then
      feed, err, links = parse.finish(res.feed, res.parse_err, body, { url = base })
    else
      feed, err, links = parse.feed(body, { url = base, content_type = res.content_type })
    end
    if not feed then return nil, err, links end
  end
  for _, e in ipairs(feed.entries) do parse.undouble(e, base) end
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
      if not before[e] then e.guid = nil end
    end
  end
  -- whatever a recipe did, the model's rules hold for what is stored (URLs, ids)
  if r then feed = parse.normalize(feed, base) end
  return feed
end

--- Does a URL look like a feed's (feed, rss, atom, .xml ... in it)?
function M.feedish(url)
  local u = url:lower()
  for _, w in ipairs({ 'feed', 'rss', 'atom', '.xml', '.rdf', 'syndicat', 'format=json' }) do
    if u:find(w, 1, true) then return true end
  end
  return false
end

--- The requests for the feeds that the pages among a refresh's results name: for each
--- summary line (feeds, in the order of reqs' results) of a web page that links to feeds,
--- its first one (a page lists its main feed first, then comments or categories), asked
--- with the feed's own HTTP settings and guard.  Only for a URL that does not look like a
--- feed's: a site's page given for its feed.  A feed URL that answers with a page (an error
--- page, or the site's home after a redesign) fails and lists what the page names: the
--- site's main feed is not what a planet that chose a category's feed wants, even once.
--- A discovered feed is not looked in again.
function M.discovered(lines, reqs)
  local by_url, found = {}, {}
  for _, q in ipairs(reqs) do by_url[q.fc.url] = q end
  for i, s in ipairs(lines) do
    local q = s.feed_links and by_url[s.url]
    q = q and not M.feedish(q.url) and q
    local href = q and not q.discovered_in and s.feed_links[1] and s.feed_links[1].href
    if href and href ~= q.url and href:match('^https?://') then
      local req = { url = href, fc = q.fc, row = q.row, parse = q.parse, known = nil, context = q.context,
        keep_body = q.keep_body, discovered_in = i }
      M.http(q.fc, q.row, req)
      found[#found + 1] = req
    end
    s.feed_links = nil
  end
  return found
end

--- The host (with its port, if the URL names one) a hold applies to: one server.
function M.host_key(url)
  local h = url and url:match('^%a[%w+.-]*://([^/?#]+)')
  return h and h:gsub('^.*@', ''):lower() or nil
end

--- Seconds to wait before trying a feed again after its n-th failure in a row: the next
--- run for the first, then backoff_base doubled at each further failure, at most backoff_max.
function M.backoff(cfg, n)
  if n <= 1 then return 0 end
  return math.min(cfg.backoff_max, cfg.backoff_base * 2 ^ math.min(n - 2, 30)) // 1
end

--- Seconds a Retry-After header asks for (delta-seconds or an HTTP date), or nil.
function M.retry_after(value, now)
  if not value then return nil end
  local n = tonumber(value:match('^%s*(%d+)%s*$'))
  if n then return n end
  local t = cutil.date(value)
  return t and math.max(0, t - now) or nil
end

-- A feed's doc_key is "<hash of the document> <what it was parsed with>": when a fetch
-- gives the same bytes and nothing that shapes the result changed (its recipe, its options,
-- orrery itself), the stored entries are already what parsing would give; when that context
-- changed, the kept documents are derived again (M.reprocess).  `r` is the feed's recipe
-- (nil: none; false: it did not load).
function M.context(fc, r)
  local rk = r == false and 'missing' or r and r.key or ''
  local opts = next(fc.options or {}) and cutil.hash(json.encode(fc.options)) or ''
  return table.concat({ rk, opts, cutil.version() }, ' ')
end

-- The document hash part of the stored key, when its context is still the current one.
local function known_hash(row, context)
  local h, c = (row.doc_key or ''):match('^(%S+) (.*)$')
  if c == context then return h end
  return nil
end

local function keep_document(cfg, fc, failed, bozo)
  local k = cfg.keep_documents
  return k == 'all' or (k == 'problems' and (failed or bozo or fc.recipe ~= nil))
end

-- The fields of a stored entry a change of recipe or parser can change (what reprocess reports).
local shown_fields = { 'title', 'link', 'author', 'summary', 'content' }

--- Derive a feed's entries again from its kept documents (oldest first) with its recipe and
--- orrery as they are now, without the network: a recipe edit reaches entries the site will
--- never send again.  Stores what changed (an entry's date and first sight are kept) and
--- records the new context.  Returns { documents, new, changed, changes = { {guid, title,
--- fields = { {name, before, after} }} }, errors = { msg } }.
---@param fc table feed config
---@param row table feed row
function M.reprocess(cfg, st, fc, row, now)
  local out = { documents = 0, new = 0, changed = 0, changes = {}, errors = {} }
  local docs = st:documents(row.id)
  if #docs == 0 then return out end
  local before = {}
  for e in st.db:rows('SELECT guid, title, link, author, summary, content FROM entries WHERE feed_id = ?', row.id) do
    before[e.guid] = e
  end
  local r
  if fc.recipe then
    local okr, loaded = pcall(recipe.load, fc.recipe, recipe.dirs(cfg))
    r = okr and loaded or false
  end
  local ok, err = st:transaction(function()
    for _, d in ipairs(docs) do
      local res = { url = d.url, final_url = d.url, content_type = d.content_type, status = d.status }
      local feed, berr = M.build(fc, d.body, res, cfg)
      if feed then
        article.apply(st, fc, feed, type(r) == 'table' and r or nil)
        local c = st:save_entries(row.id, feed.entries, now, cfg.future_tolerance)
        st:save_dropped(row.id, feed.dropped, now)
        out.new, out.changed, out.documents = out.new + c.new, out.changed + c.changed, out.documents + 1
      else
        out.errors[#out.errors + 1] = berr
      end
    end
    st:update_feed(row.id, { derived_with = M.context(fc, r) })
    return true
  end)
  if not ok then out.errors[#out.errors + 1] = 'store: ' .. tostring(err) return out end
  for e in st.db:rows('SELECT guid, title, link, author, summary, content FROM entries WHERE feed_id = ?', row.id) do
    local b = before[e.guid]
    if b then
      local fields = {}
      for _, k in ipairs(shown_fields) do
        if b[k] ~= e[k] then fields[#fields + 1] = { name = k, before = b[k], after = e[k] } end
      end
      if #fields > 0 then out.changes[#out.changes + 1] = { guid = e.guid, title = e.title, fields = fields } end
    end
  end
  return out
end

-- Record the outcome of one fetch for feed row `row`; returns a summary line table.
local function process(cfg, st, fc, row, res, now)
  local s = { name = fc.name, url = fc.url, status = res.status, new = 0, changed = 0 }
  local upd = { last_attempt = now, last_status = res.status, next_attempt = json.null }
  local function failed(msg, wait)
    if res.req.discovered_in then
      msg = string.format('a web page, not a feed; the feed it names (%s) failed: %s', res.req.url, msg)
    end
    s.err = msg
    upd.last_error = msg
    upd.errors = (row.errors or 0) + 1
    upd.failing_since = (row.errors or 0) > 0 and row.failing_since or now
    s.since = upd.failing_since
    upd.doc_key = json.null
    wait = math.max(wait or 0, M.backoff(cfg, upd.errors))
    if wait > 0 then
      upd.next_attempt = now + wait
      s.next_attempt = upd.next_attempt
    end
    st:update_feed(row.id, upd)
    return s
  end
  if res.err then return failed(res.err) end
  if row.derived_with and row.derived_with ~= res.req.context then
    -- the recipe, its options or orrery changed since the stored entries were derived: derive
    -- them again from the kept documents (a site that answers 304 would never show the edit)
    local rp = M.reprocess(cfg, st, fc, row, now)
    s.reprocessed = rp.documents
    s.new, s.changed = rp.new, rp.changed
  end
  if res.moved_to and res.moved_to ~= (row.fetch_url or row.url) then
    upd.fetch_url = res.moved_to
    s.moved_to = res.moved_to
  end
  if res.status == 304 and not res.req.etag and not res.req.last_modified then
    -- nothing was asked conditionally: "not modified" since nothing, there is no copy to keep
    return failed('HTTP 304 Not Modified to a request that had no validators: nothing to read')
  end
  if res.status == 304 then
    upd.last_success, upd.errors, upd.failing_since = now, 0, json.null
    if row.errors > 0 then upd.last_error = json.null end
    st:update_feed(row.id, upd)
    s.not_modified = true
    return s
  end
  if res.status == 410 then
    upd.gone = 1
    s.gone = true
    return failed('HTTP 410 Gone: the feed was removed')
  end
  if res.status == 429 or res.status == 503 then
    -- the server asked us to come back later: at the time it says, within reason
    local wait = M.retry_after(res.retry_after, now)
    local msg = 'HTTP ' .. res.status .. (res.status == 429 and ' Too Many Requests' or ' Service Unavailable')
    if wait then
      wait = math.min(wait, cfg.backoff_max)
      msg = msg .. string.format(' (Retry-After: %d s)', wait)
    end
    local away = heldback.turned_away(res.body, res.content_type)
    if away then msg = msg .. ': ' .. away end
    -- and the host's other feeds wait as long (one server, one request to slow down)
    local host = M.host_key(res.req.url)
    if host then
      st:hold_host(host, now + (wait or cfg.backoff_base), string.format('%s answered %s to %s', host, msg, fc.name))
    end
    return failed(msg, wait or cfg.backoff_base)
  end
  if res.status < 200 or res.status > 299 then
    local away = heldback.turned_away(res.body, res.content_type)
    return failed('HTTP ' .. res.status .. (away and ': ' .. away or ''))
  end
  local context = res.req.context
  local key = (res.body_hash or cutil.digest(res.body)) .. ' ' .. context
  if res.unchanged or key == row.doc_key then
    -- the very document we stored last time (a server without validators)
    upd.last_success, upd.errors, upd.failing_since = now, 0, json.null
    if row.errors > 0 then upd.last_error = json.null end
    st:update_feed(row.id, upd)
    s.unchanged = true
    return s
  end
  local c0 = cutil.cpu('thread')
  local feed, err, links = M.build(fc, res.body, res, cfg)
  local c1 = cutil.cpu('thread')
  s.cpu_parse = c1 - c0
  if res.body and keep_document(cfg, fc, not feed, feed and feed.bozo) then
    -- kept to derive the entries again (reprocess), and for whoever debugs this feed or
    -- writes its recipe (orrery repl: document, try)
    st:save_document(row.id, now, res, cfg.documents_per_feed)
  end
  if not feed then
    s.feed_links = links
    local away = not (links and #links > 0) and heldback.turned_away(res.body, res.content_type)
    return failed(away and 'not a feed: ' .. away or err)
  end
  if res.req.discovered_in then
    -- the feed the configured page named: fetched from now on, as after a permanent redirect
    upd.fetch_url = res.req.url
    s.discovered = res.req.url
  end
  article.apply(st, fc, feed, fc.recipe and recipe.load(fc.recipe, recipe.dirs(cfg)) or nil)
  local ok, terr = st:feed_transaction(row.id, function()
    local counts = st:save_entries(row.id, feed.entries, now, cfg.future_tolerance)
    s.new, s.changed = s.new + counts.new, s.changed + counts.changed
    st:save_dropped(row.id, feed.dropped, now)
    upd.derived_with = res.req.context
    upd.title = feed.title or json.null
    upd.link = feed.link or json.null
    upd.subtitle = feed.subtitle or json.null
    upd.icon = feed.icon or json.null
    upd.notes = feed.notes or json.null
    upd.format = feed.format or json.null
    upd.language = parse.language(feed.language) or json.null
    upd.etag = res.etag or json.null
    upd.last_modified = res.last_modified or json.null
    upd.last_success, upd.last_error, upd.errors, upd.failing_since = now, json.null, 0, json.null
    upd.doc_key = key
    upd.recovered = feed.bozo and (feed.bozo_message or 'not well-formed') or json.null
    st:update_feed(row.id, upd)
    return true
  end)
  s.cpu_store = cutil.cpu('thread') - c1
  if not ok then return failed('store: ' .. tostring(terr)) end
  s.entries = #feed.entries
  return s
end

--- True when an error says the database cannot be written at all (not one feed's problem).
function M.database_broken(msg)
  return msg:find('disk is full', 1, true) or msg:find('disk I/O error', 1, true)
    or msg:find('readonly database', 1, true) or msg:find('malformed', 1, true)
    or msg:find('no transaction is active', 1, true)
end

--- A feed's own HTTP settings (docs/fetching.md) put into request `req`, and its guard: a
--- redirect may not take it to a private address (only the feed's own hosts may be on one,
--- and its proxy).  The password goes nowhere but the request.  Returns req.
function M.http(fc, row, req)
  req.guard = fc.url .. (row and row.fetch_url and (' ' .. row.fetch_url) or '')
    .. (fc.proxy and (' ' .. fc.proxy) or '')
  req.user_agent, req.proxy, req.timeout = fc.user_agent, fc.proxy, fc.timeout
  -- what may identify the planet to the feed's server (its password, cookies, headers such
  -- as an API key) goes to the configured URL's host only: not to the host a permanent
  -- redirect or a page's feed link moved the feed to, nor to an article's, whoever runs them
  if M.host_key(req.url) == M.host_key(fc.url) then
    req.headers, req.cookie = fc.headers, fc.cookies
    req.userpwd = fc.auth and (fc.auth.user .. ':' .. fc.auth.password)
  end
  return req
end

--- Which feeds a refresh fetches now.  Returns the requests and the feeds skipped, each
--- { fc, row, reason }: gone (410), backing off after failures, or fetched too recently.
---@param opts table { only = { [url] = true }, force = fetch regardless }
function M.plan(cfg, st, opts, now)
  local reqs, skipped = {}, {}
  local held = st:held_hosts(now)
  for _, fc in ipairs(cfg.feeds) do
    if fc.enabled and (not opts.only or opts.only[fc.url]) then
      local row = st:feed(fc.url, fc.name)
      local why
      local interval = fc.interval or cfg.min_interval
      if opts.force then
        why = nil
      elseif row.gone == 1 then
        why = 'gone (HTTP 410); --force fetches it again'
      elseif row.next_attempt and row.next_attempt > now then
        why = string.format('backing off after %d failures, next attempt %s', row.errors,
          os.date('!%Y-%m-%d %H:%M UTC', row.next_attempt))
      elseif held[M.host_key(row.fetch_url or fc.url) or ''] then
        local h = held[M.host_key(row.fetch_url or fc.url)]
        why = string.format('held until %s: %s', os.date('!%Y-%m-%d %H:%M UTC', h.hold_until),
          h.reason or 'its host asked to wait')
      elseif interval > 0 and row.last_attempt and now - row.last_attempt < interval then
        why = string.format('fetched %d s ago (%s %d s)', now - row.last_attempt,
          fc.interval and 'its interval' or 'min_interval', interval)
      end
      if why then
        skipped[#skipped + 1] = { fc = fc, row = row, reason = why }
      else
        local r = nil
        if fc.recipe then
          local ok, loaded = pcall(recipe.load, fc.recipe, recipe.dirs(cfg))
          r = ok and loaded or false
        end
        local context = M.context(fc, r)
        reqs[#reqs + 1] = {
          -- (--force: the whole document, not "if it changed")
          url = row.fetch_url or fc.url, fc = fc, row = row,
          etag = not opts.force and row.etag or nil, last_modified = not opts.force and row.last_modified or nil,
          -- parsed as it arrives, unless a recipe must see the bytes first
          parse = not (r and (r.fix or r.scrape)), known = known_hash(row, context), context = context,
          -- the bytes of a well-parsed feed are dropped at once unless they may be kept
          keep_body = cfg.keep_documents == 'all' or (cfg.keep_documents == 'problems' and fc.recipe ~= nil),
        }
        M.http(fc, row, reqs[#reqs])
      end
    end
  end
  return reqs, skipped
end

--- Refresh the planet's feeds.  Returns a summary
--- { feeds = {...}, skipped = {...}, failed, new, changed, total, bytes, seconds }.
---@param cfg table
---@param opts table|nil { progress = fn(done, total, summary_line, run_summary), only = { [url] = true },
---  force = fetch every feed now (gone, backing off or recent ones too) }
function M.refresh(cfg, opts)
  opts = opts or {}
  local st = M.open_store(cfg)
  local now = os.time()
  st:begin()                          -- new feeds' rows: one commit, not one each
  local reqs, skipped = M.plan(cfg, st, opts, now)
  assert(st:commit())
  local summary = { feeds = {}, skipped = {}, failed = 0, new = 0, changed = 0, total = #reqs, bytes = 0,
    started = cutil.clock(), cpu = { parse = 0, store = 0, commit = 0, network = 0, hash = 0, xml = 0, sanitize = 0 } }
  local sandbox = require('orrery.sandbox')
  local recipes0, sanitize0 = sandbox.cpu, cutil.sanitize_cpu()
  for _, k in ipairs(skipped) do
    local r = k.row
    summary.skipped[#summary.skipped + 1] = { name = k.fc.name, url = k.fc.url, reason = k.reason,
      -- skipped, but still failing: backing off after failures, or gone
      failing = r.gone == 1 or (r.errors or 0) > 0, gone = r.gone == 1, last_error = r.last_error,
      since = r.failing_since or r.last_attempt, next_attempt = r.gone ~= 1 and r.next_attempt or nil }
  end
  local done = 0
  -- the database itself failing (disk full, I/O error) ends the run: no later feed could
  -- be stored either, and what the batch wrote is rolled back, never half kept
  local function abort(msg)
    st:rollback()
    st:close()
    util.fail('cannot write the database ' .. cfg.database .. ': ' .. msg, 'write')
  end
  st:begin()
  local function handle(res)
    local fc, row = res.req.fc, res.req.row
    if res.held and res.req.discovered_in then return end   -- (the page's own line stays)
    if res.held then
      -- never requested: its host answered 429/503 to another feed in this run
      summary.skipped[#summary.skipped + 1] = { name = fc.name, url = fc.url, reason = res.err, held = true }
      summary.total = summary.total - 1
      done = done + 1
      if opts.progress then opts.progress(done, #reqs, { name = fc.name, url = fc.url, held = true }, summary) end
      return
    end
    local ok, s = xpcall(process, debug.traceback, cfg, st, fc, row, res, now)
    if not ok then
      s = { name = fc.name, url = fc.url, err = 'internal error: ' .. tostring(s) }
      pcall(st.update_feed, st, row.id, { last_attempt = now, last_error = s.err })
    end
    if s.err and M.database_broken(s.err) then abort(s.err) end
    local bytes = res.bytes or (res.body and #res.body)
    s.seconds, s.wait = res.seconds, res.wait
    pcall(st.log_fetch, st, row.id, now, s, bytes, res.seconds, res.wait)
    local was = res.req.discovered_in and summary.feeds[res.req.discovered_in]
    if was then                                  -- the page's line becomes its feed's
      summary.feeds[res.req.discovered_in] = s
      summary.failed = summary.failed - 1
    else
      summary.feeds[#summary.feeds + 1] = s
      done = done + 1
    end
    if s.err then summary.failed = summary.failed + 1 end
    summary.new = summary.new + (s.new or 0)
    summary.changed = summary.changed + (s.changed or 0)
    summary.bytes = summary.bytes + (bytes or 0)
    summary.cpu.parse = summary.cpu.parse + (s.cpu_parse or 0)
    summary.cpu.store = summary.cpu.store + (s.cpu_store or 0)
    if opts.progress and not was then opts.progress(done, #reqs, s, summary) end
    local c0 = cutil.cpu('thread')
    local cok, cerr = st:commit(cfg.commit_interval)
    if not cok then abort(tostring(cerr)) end
    st:begin()
    summary.cpu.commit = summary.cpu.commit + cutil.cpu('thread') - c0
  end
  for res in fetch.each(reqs, cfg, summary.cpu) do handle(res) end
  -- A configured URL that gave a web page naming its feed (<link rel="alternate">: the
  -- site's page given for its feed): that feed, fetched now and, once it reads as one, from
  -- then on (process() keeps it as fetch_url)
  local found = M.discovered(summary.feeds, reqs)
  if #found > 0 then
    for res in fetch.each(found, cfg, summary.cpu) do handle(res) end
    for _, s in ipairs(summary.feeds) do s.feed_links = nil end
  end
  local c0 = cutil.cpu('thread')
  -- the kept documents stay within their bound (the oldest go)
  pcall(st.prune_documents, st, cfg.documents_max_mb * 1000 * 1000)
  local cok, cerr = st:commit()
  summary.cpu.commit = summary.cpu.commit + cutil.cpu('thread') - c0
  if not cok then abort(tostring(cerr)) end
  -- then the full articles of teaser feeds (each page once: they are cached)
  local aok, asum = xpcall(article.refresh, debug.traceback, cfg, st, now, summary.cpu)
  if not aok then
    if M.database_broken(tostring(asum)) then abort(tostring(asum)) end
    asum = { fetched = 0, stored = 0, failed = 1, errors = { { err = 'internal error: ' .. tostring(asum) } } }
  end
  summary.articles = asum
  -- then retention: what the planet no longer keeps goes (never what is on the front page)
  local retention = require('orrery.retention')
  if retention.active(cfg) then
    local xok, xres, xerr = pcall(retention.expunge, cfg, st, now)
    if not xok or not xres then
      local msg = tostring(xok and xerr or xres)
      if M.database_broken(msg) then abort(msg) end
      summary.expunge_error = msg
    else
      summary.expunged = xres.removed
    end
  end
  summary.seconds = cutil.clock() - summary.started
  -- the planet's history (health page): feeds failing now, the skipped ones too
  summary.failing = summary.failed
  for _, k in ipairs(summary.skipped) do if k.failing then summary.failing = summary.failing + 1 end end
  pcall(st.transaction, st, function() st:log_run(now, summary) return true end)
  c0 = cutil.cpu('thread')
  st:close()
  summary.cpu.commit = summary.cpu.commit + cutil.cpu('thread') - c0
  summary.cpu.main = cutil.cpu('thread')
  summary.cpu.total = cutil.cpu()
  summary.cpu.recipes = sandbox.cpu - recipes0
  summary.cpu.main_sanitize = cutil.sanitize_cpu() - sanitize0
  summary.peak_rss = cutil.peak_rss()
  return summary
end

local function form_escape(s)
  return (s:gsub('[^%w%-._~]', function(c) return string.format('%%%02X', c:byte()) end))
end

--- Tell the planet's WebSub hub (cfg.hub) that its feeds changed: one POST naming the feeds
--- among the rendered files (atom.xml, rss20.xml, rss10.xml) by their public URLs.  Returns
--- nil, or what went wrong (never fatal: readers' hubs poll anyway).
---@param files table what M.render returned
function M.ping(cfg, files)
  if not cfg.hub then return nil end
  if cfg.link == '' then return 'hub: the planet has no link, so the hub cannot be told where its feeds are' end
  local base = cfg.link:gsub('/*$', '/')
  local body = { 'hub.mode=publish' }
  for _, list in ipairs({ files.written, files.unchanged }) do
    for _, path in ipairs(list) do
      local name = path:match('([^/]+)$')
      if name == 'atom.xml' or name == 'rss20.xml' or name == 'rss10.xml' then
        body[#body + 1] = 'hub.url=' .. form_escape(base .. name)
      end
    end
  end
  if #body == 1 then return 'hub: the layout wrote no feed (atom.xml, rss20.xml, rss10.xml) to announce' end
  local res = fetch.each({ { url = cfg.hub, post = table.concat(body, '&') } }, cfg)()
  if res.err then return string.format('hub %s: %s', require('orrery.publish').url(cfg.hub), res.err) end
  if res.status < 200 or res.status > 299 then
    return string.format('hub %s answered HTTP %d', require('orrery.publish').url(cfg.hub), res.status)
  end
  return nil
end

--- Render the layout to cfg.output_dir.  Returns the list of files written.
function M.render(cfg)
  local st = M.open_store(cfg)
  -- one snapshot for every page: a refresh or an expunge committing meanwhile cannot make
  -- the front page and the archives disagree
  assert(st.db:exec('BEGIN'))
  local ok, res = pcall(require('orrery.layout').render, cfg, st)
  st.db:exec('COMMIT')
  if ok and res.rendered then
    -- what the archive's months were made from, so that the next render skips those whose
    -- inputs stay the same (when it cannot be written, the next render makes them again)
    local sok, saved, serr = pcall(st.save_rendered, st, res.rendered)
    if not (sok and saved) then
      require('orrery.log').warn('render: could not note what the archive was made from: %s',
        tostring(sok and serr or saved))
    end
    res.rendered = nil
  end
  st:close()
  if not ok then
    if util.is_failure(res) then error(res, 0) end
    util.fail('render: ' .. tostring(res), 'config')
  end
  return res
end

return M
