--- orrery.layout: render the planet's pages from a layout directory.
---
--- A layout is a directory.  Each `NAME.etlua` file in it is a template (orrery.template)
--- rendered to `NAME` in the output directory; every other file (CSS, images) is copied.
--- The built-in layouts live in lua/orrery/layouts/; a planet names one (`layout =
--- "default"`) or gives its own directory (copy the default and edit it).
--- Files whose content did not change are not rewritten, so they keep their mtime.
local cfs = require('orrery._fs')
local chtml = require('orrery._html')
local cutil = require('orrery._util')
local json = require('orrery.json')
local locale = require('orrery.locale')
local publish = require('orrery.publish')
local shown = require('orrery.shown')
local template = require('orrery.template')
local util = require('orrery.util')

local M = {}

--- The directory of a layout name or path.
function M.dir(layout)
  if layout:find('/') then return layout end
  return (ORRERY_HOME or '.') .. '/lua/orrery/layouts/' .. layout
end

--- Helpers every template sees.
M.helpers = {
  h = util.escape,
  iso8601 = util.iso8601,
  rfc822 = util.rfc822,
  date = function(fmt, t) return cutil.strftime(fmt, t, 'UTC') end,   -- in the planet's zone at render
  json = json.encode,
  array = json.array,       -- a table json() writes as [...] even when empty
  -- a byte count for people: "12.3 MB"
  size = function(n)
    n = tonumber(n)
    if not n then return '' end
    for _, u in ipairs({ 'bytes', 'KB', 'MB', 'GB' }) do
      if n < 1000 or u == 'GB' then return (u == 'bytes' and '%d %s' or '%.1f %s'):format(n, u) end
      n = n / 1000
    end
  end,
}

--- Build the template context from the store.
---@param cfg table
---@param st table orrery.store
function M.context(cfg, st)
  local now = os.time()
  local feeds, by_id = {}, {}
  -- feeds needing a maintainer's eye, for the health page
  local health = { failing = {}, gone = {}, stale = {}, moved = {}, recovered = {}, stale_days = cfg.stale_days }
  local counts = st:counts()
  local cfg_by_url = {}
  for _, fc in ipairs(cfg.feeds) do cfg_by_url[fc.url] = fc end
  for _, row in ipairs(st:feeds()) do
    local fc = cfg_by_url[row.url]
    if fc and fc.enabled then
      local c = counts[row.id]
      local f = {
        id = row.id, name = fc.name or row.title or row.url, title = row.title,
        url = publish.url(row.fetch_url or row.url), link = fc.link or row.link,
        -- the config's face (relative: an image beside the pages, as in Venus) or the
        -- feed's icon (against its site); only safe schemes either way
        face = fc.face and chtml.clean_url(fc.face) or row.icon and chtml.clean_url(row.icon, row.link) or nil,
        failing = row.last_error ~= nil and (row.last_success == nil or (row.errors or 0) > 0),
        gone = row.gone == 1, error = publish.feed_error(cfg, row), errors = row.errors,
        failing_since = row.failing_since, recovered = row.recovered,
        last_success = row.last_success, last_attempt = row.last_attempt, last_status = row.last_status,
        next_attempt = row.next_attempt, configured_url = publish.url(row.url),
        moved = row.fetch_url ~= nil and row.fetch_url ~= row.url,
        entries = c and c.n or 0, newest = c and c.newest, notes = row.notes,
        -- a site without a feed, scraped by a recipe: its URL is a page, not a feed
        scraped = row.format == 'scraped',
        -- what its entries are written in (lang="..."): the config's word, else the feed's
        language = fc.language or row.language,
      }
      f.stale = not f.failing and f.last_success ~= nil and (f.newest == nil or now - f.newest > cfg.stale_days * 86400)
      feeds[#feeds + 1] = f
      by_id[row.id] = f
      local h = f.gone and health.gone or f.failing and health.failing or f.stale and health.stale
        or f.moved and health.moved
      if h then h[#h + 1] = f end
      if f.recovered and not f.failing then health.recovered[#health.recovered + 1] = f end
    end
  end
  -- which entries are shown, and which not (and why): one owner for pages, feeds, archives
  local view = shown.view(cfg, st)
  local page_rows = view:page()
  local entries, days = M.entries_by_day(cfg, page_rows, by_id)
  -- when what the page and the feeds show last changed: the newest arrival among them (the
  -- time of rendering would rewrite index.html and every feed at each run, and every
  -- reader polling atom.xml would download it again although nothing is new)
  local changed
  for _, row in ipairs(page_rows) do
    if not changed or row.first_seen > changed then changed = row.first_seen end
  end
  changed = math.min(changed or now, now)
  -- the months that have entries, newest first, for archive pages and their navigation
  local months = {}
  local month_title = locale.formatter(cfg.locale, 'UTC')
  for _, m in ipairs(view:months()) do
    local y, mo = m.month:match('^(%d+)-(%d+)$')
    local t = util.utc_time(tonumber(y), tonumber(mo), 15)
    months[#months + 1] = { month = m.month, entries = m.entries, title = month_title(cfg.month_format, t),
      path = 'archive/' .. shown.archive_file(m.month, 1), digest = m.digest }
  end
  local ctx = {
    planet = {
      name = cfg.name, link = cfg.link, description = cfg.description, hub = cfg.hub,
      language = locale.language(cfg.locale) or 'en',   -- of the page's own words: lang="..."

      owner_name = cfg.owner.name, owner_email = cfg.owner.email,
      updated = now, updated_text = locale.date(cfg)(cfg.date_format, now),
      changed = changed, changed_text = locale.date(cfg)(cfg.date_format, changed),
      generator = 'orrery ' .. cutil.version(),
    },
    feeds = feeds, entries = entries, days = days, feed_items = cfg.feed_items, health = health,
    months = months, by_id = by_id, view = view, page_rows = page_rows,
  }
  return require('orrery.health').add(ctx, cfg, st, now)
end

-- e.excerpt: the entry's text, cut at a word before excerpt_length characters.  Made when
-- a template asks (it parses the entry's HTML).
local function excerpt(cfg, e)
  local text = chtml.text(e.content or e.summary or ''):gsub('%s+', ' '):gsub('^ ', ''):gsub(' $', '')
  local n = cfg.excerpt_length
  if utf8.len(text) and utf8.len(text) > n then
    local cut = text:sub(1, (utf8.offset(text, n + 1) or #text + 1) - 1)
    text = (cut:match('^(.*%S)%s+%S*$') or cut) .. '…'
  end
  return text
end

-- An entry's enclosures as the templates write them: a MIME type only when it is one, a
-- length only when it is a number of bytes (feeds write "12 MB", "unknown", ...).
local function enclosures(list)
  local out = {}
  for _, x in ipairs(list or {}) do
    if type(x.href) == 'string' then
      local t = type(x.type) == 'string' and x.type:match('^%s*([%w!#$&^_.+-]+/[%w!#$&^_.+-]+)') or nil
      local n = x.length ~= nil and tostring(x.length):match('^%s*(%d+)%s*$') or nil
      out[#out + 1] = { href = x.href, type = t and t:lower(), length = n and n ~= '0' and n or nil }
    end
  end
  return out
end

--- Entry tables for templates from stored rows (those of configured feeds only), and the
--- same grouped by day: { { day, day_text, entries } }, at most max_days days (0 or nil:
--- no limit).  new_day and new_feed mark where a day or a run of one feed's entries starts.
function M.entries_by_day(cfg, rows, by_id, max_days)
  local entry_mt = { __index = function(e, k)
    if k == 'excerpt' then
      local x = excerpt(cfg, e)
      rawset(e, 'excerpt', x)
      return x
    end
  end }
  local entries, days = {}, {}
  local last_day, last_feed
  local fmt = locale.date(cfg)
  for _, row in ipairs(rows) do
    local feed = by_id[row.feed_id]
    local day = cutil.strftime('%Y-%m-%d', row.date, cfg.time_zone)   -- days as readers live them
    if feed and day ~= last_day and max_days and max_days > 0 and #days >= max_days then break end
    if feed then
      local e = {
        id = publish.entry_uri(row), title = row.title and row.title:find('%S') and row.title or nil,
        link = row.link, author = publish.author(cfg, row), author_uri = row.author_uri,
        author_email = cfg.publish_emails and row.author_email or nil, notes = row.notes,
        content = row.content or row.summary, summary = row.summary, date = row.date,
        date_text = fmt(cfg.date_format, row.date), day = day,
        day_text = fmt(cfg.day_format, row.date), tags = row.tags,
        enclosures = enclosures(row.enclosures), feed = feed, published = row.published, updated = row.updated,
      }
      setmetatable(e, entry_mt)
      e.new_day = day ~= last_day
      e.new_feed = e.new_day or feed ~= last_feed
      if e.new_day then days[#days + 1] = { day = day, day_text = e.day_text, entries = {} } end
      table.insert(days[#days].entries, e)
      entries[#entries + 1] = e
      last_day, last_feed = day, feed
    end
  end
  return entries, days
end

local function write_if_changed(path, data)
  if cfs.same(path, data) then return false end
  local ok, err = cfs.write(path, data)
  if not ok then util.fail('cannot write ' .. err, 'write') end
  return true
end

-- A template compiled (raises "layout: file:line: ..." when it does not compile).
local function compile(src, path, helpers)
  local render, cerr = template.compile(src, path, helpers)
  if not render then error('layout: ' .. cerr, 0) end
  return render
end

-- A compiled template run on ctx (raises "layout: ..." when it fails).
local function run(render, ctx, where)
  local ok, res = pcall(render, ctx)
  if not ok then error('layout: ' .. (where or '') .. tostring(res), 0) end
  return res
end

-- data written to path unless the file already holds it; noted in out.
local function emit(out, path, data)
  table.insert(write_if_changed(path, data) and out.written or out.unchanged, path)
end

-- The pages of an archive month: archive_page_entries entries a page.
local function pages_of(cfg, month)
  local per = cfg.archive_page_entries
  return per > 0 and math.max(1, (month.entries + per - 1) // per) or 1
end

-- The archive page context of page p of month i (ctx.months[i]): its entries by day (those
-- after row `after`, the previous page's last), the month's neighbours and its other pages,
-- over `seen` (the archive's watched context, see render_archive).  Returns it and the
-- page's last row.  A page holds archive_page_entries entries, so that a month of 100,000
-- entries is neither one page of 500 MB nor as much memory to render.
local function month_context(cfg, ctx, seen, i, p, after)
  local m = ctx.months[i]
  local per = cfg.archive_page_entries > 0 and cfg.archive_page_entries or nil
  local pages = pages_of(cfg, m)
  local from, to = shown.month_bounds(m.month)
  local rows = ctx.view:range(from, to, per, after)
  local entries, days = M.entries_by_day(cfg, rows, seen.by_id)
  local c = setmetatable({ archive = {
    month = m.month, title = m.title, entries = entries, days = days, total = m.entries,
    newer = seen.near[i - 1], older = seen.near[i + 1], page = p, pages = pages,
    newer_page = p > 1 and shown.archive_file(m.month, p - 1) or nil,
    older_page = p < pages and shown.archive_file(m.month, p + 1) or nil,
    -- the newer month's last page: the entries that come right after this month's newest
    newer_last = ctx.months[i - 1] and shown.archive_file(ctx.months[i - 1].month, pages_of(cfg, ctx.months[i - 1])),
  } }, seen.mt)
  return c, rows[#rows], pages
end

--------------------------------------------------------------------------------------
-- Archive months rendered only when what they show changed.
--
-- A planet keeps its entries for years, and every run rendered every month of them again
-- (a second and more for 20,000 entries, reading each old page back to compare it) to
-- change nothing but the newest.  Now each month's pages are made from a key: the
-- template, orrery's version, the config, the month's shown entries (View:months' digest)
-- and its neighbours — and the value of everything else the template read the last time,
-- watched as it renders: fields of `planet`, of the `months` list, of an entry's `feed`,
-- of the neighbouring months.  Same key, same pages (a template is a function of what it
-- reads), and the month is not rendered: unless the template read what cannot be keyed
-- (the feed list, the health report, the front page's entries, `os`, `io`, math.random
-- ...), when it is rendered at every run as before.

-- What a template may read and the key needs no word of: Lua's own pure functions and
-- tables (string.format, table.concat ...).
local PURE = {}
for _, k in ipairs({ 'string', 'table', 'utf8', 'pairs', 'ipairs', 'next', 'select', 'tostring', 'tonumber',
    'type', 'rawget', 'rawequal', 'rawlen', 'assert', 'error', 'pcall', 'xpcall', 'setmetatable',
    'getmetatable', '_VERSION' }) do PURE[k] = true end
-- The context's tables whose reads are keyed (by field: see watched).
local KEYED = { planet = true, months = true, archive = true }

-- A stand-in for table t that notes in reads each field read (as prefix .. name; '*' for a
-- walk over all of them), the first time: then it keeps the value, so that a template
-- reading e.feed.name for every entry pays one call for it.  (A month gets stand-ins of
-- its own, so that what each month read is known.)
local function watched(t, prefix, reads)
  return setmetatable({}, {
    __index = function(w, k)
      reads[prefix .. tostring(k)] = true
      local v = t[k]
      if v ~= nil then rawset(w, k, v) end
      return v
    end,
    __len = function() reads[prefix .. '*'] = true return #t end,
    __pairs = function() reads[prefix .. '*'] = true return next, t, nil end,
  })
end

-- Lazily made stand-ins for the values of table t (a list or a map of tables).
local function watched_all(t, prefix, reads)
  return setmetatable({}, { __index = function(w, k)
    local v = t[k]
    if v == nil then return nil end
    v = watched(v, prefix, reads)
    rawset(w, k, v)
    return v
  end })
end

-- Settings of how feeds are fetched and stored, which no page shows: left out of the
-- config's part of the key, so that `orrery run -j 8 --timeout 20` from cron and a plain
-- `orrery render` by hand do not make every month again each time they take turns.
local NOT_SHOWN = { concurrency = true, timeout = true, connect_timeout = true, low_speed_time = true,
  mirror = true, database = true, commit_interval = true }

-- A value in a form that is the same in every run for the same value (functions by their
-- code); tables with their keys in order.
local function canonical(v, out, seen)
  local tv = type(v)
  if tv == 'table' then
    if seen[v] then out[#out + 1] = '<cycle>' return end
    seen[v] = true
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) ~= type(b) then return type(a) < type(b) end
      if type(a) == 'number' or type(a) == 'string' then return a < b end
      return tostring(a) < tostring(b)
    end)
    out[#out + 1] = '{'
    for _, k in ipairs(keys) do
      canonical(k, out, seen)
      out[#out + 1] = '='
      canonical(v[k], out, seen)
      out[#out + 1] = ','
    end
    out[#out + 1] = '}'
    seen[v] = nil
  elseif tv == 'function' then
    local ok, code = pcall(string.dump, v, true)
    out[#out + 1] = ok and 'f' .. cutil.digest(code) or 'cfunction'
  else
    out[#out + 1] = tv:sub(1, 1) .. tostring(v)
  end
end

-- The key of month i of the archive: the template's own key (base), the month and its
-- neighbours, and the values of what the template read (reads, one name a line).  nil when
-- it read something no key can stand for.
local function month_key(base, ctx, i, reads, memo)
  local m = ctx.months[i]
  local parts = { base, m.month, m.title, m.entries, assert(m.digest) }
  for _, j in ipairs({ i - 1, i + 1 }) do
    local n = ctx.months[j]
    parts[#parts + 1] = n and (n.month .. ' ' .. n.entries) or '-'
  end
  for r in reads:gmatch('[^\n]+') do
    local what, field = r:match('^(%w+)%.(.+)$')
    if what == 'ctx' then
      if not KEYED[field] then return nil end
    elseif what == 'G' then
      if not PURE[field] then return nil end
    else
      local near = what == 'near'
      local v = not near and memo[r]
      if not v then
        local list = what == 'planet' and { ctx.planet } or what == 'months' and ctx.months
          or near and { ctx.months[i - 1] or {}, ctx.months[i + 1] or {} }
          or what == 'feed' and ctx.feeds or nil
        if not list then return nil end
        local out = { r }
        for _, t in ipairs(list) do
          if field == '*' then canonical(t, out, {}) else canonical(t[field], out, {}) end
        end
        v = cutil.digest(table.concat(out, ' '))
        if not near then memo[r] = v end   -- (the same for every month)
      end
      parts[#parts + 1] = v
    end
  end
  return cutil.digest(table.concat(parts, '\n'))
end

-- Render the archive: ctx.months' pages with template `render` (compiled from src),
-- those whose key changed only.  Returns the rows of the months rendered (for
-- store:save_rendered).
local function render_archive(cfg, ctx, st, render, src, helpers, out)
  local dir = cfg.output_dir .. '/archive'
  local cfg_text, shown_cfg = {}, {}
  for k, v in pairs(cfg) do
    if not NOT_SHOWN[k] then shown_cfg[k] = v end
  end
  canonical(shown_cfg, cfg_text, {})
  -- (time_zone 'local' is the machine's: its zone is part of what the dates looked like)
  local base = cutil.digest(cutil.version(), src, table.concat(cfg_text),
    cfg.time_zone == 'local' and (os.getenv('TZ') or '') .. os.date('%z') or '')
  -- (noted by the directory's real path: `-o out` names another one in another directory)
  local real = cfs.realpath(dir) or dir
  local before = st:rendered(real)
  -- the context as a month's pages see it: watched (see month_key), made for each month
  local function watch_month()
    local reads = {}
    local own = { planet = watched(ctx.planet, 'planet.', reads), months = {} }
    for k, m in ipairs(ctx.months) do own.months[k] = watched(m, 'months.', reads) end
    local seen = { reads = reads, by_id = watched_all(ctx.by_id, 'feed.', reads),
      near = watched_all(ctx.months, 'near.', reads) }
    -- math without its dice: math.floor is a function of what it is given, math.random not
    own.math = setmetatable({}, { __index = function(_, f)
      if f == 'random' or f == 'randomseed' then reads['G.math.' .. f] = true end
      return math[f]
    end })
    seen.mt = { __index = function(_, k)
      local v = own[k]
      if k == 'math' then return v end
      if v == nil then v = ctx[k] end
      if v ~= nil then reads['ctx.' .. k] = true return v end
      if helpers[k] ~= nil then return helpers[k] end
      v = _G[k]
      if v ~= nil then reads['G.' .. k] = true end
      return v
    end }
    return seen
  end
  -- the pages of month m as they are on disk: "size mtime" each, one a line (a page
  -- replaced, edited or deleted by someone else is made again)
  local function stamps(m, pages)
    local lines = {}
    for p = 1, pages do
      local f = cfs.stat(dir .. '/' .. shown.archive_file(m.month, p))
      lines[p] = f and (f.size .. ' ' .. f.mtime) or '-'
    end
    return table.concat(lines, '\n')
  end
  local saved, memo = {}, {}
  for i, m in ipairs(ctx.months) do
    local first = real .. '/' .. shown.archive_file(m.month, 1)
    local pages, was = pages_of(cfg, m), before[first]
    local same = was and month_key(base, ctx, i, was.reads, memo) == was.key and stamps(m, pages) == was.pages
    if same then
      for p = 1, pages do table.insert(out.unchanged, dir .. '/' .. shown.archive_file(m.month, p)) end
    else
      local seen = watch_month()
      local p, after = 1, nil
      repeat                                   -- one page in memory at a time
        local c, last
        c, last, pages = month_context(cfg, ctx, seen, i, p, after)
        emit(out, dir .. '/' .. shown.archive_file(m.month, p), run(render, c))
        p, after = p + 1, last
      until p > pages or not after
      local names = {}
      for k in pairs(seen.reads) do names[#names + 1] = k end
      table.sort(names)
      local reads = table.concat(names, '\n')
      local key = month_key(base, ctx, i, reads, memo)
      -- (a month the key cannot stand for is noted too, with a key no month has: the row
      -- of an earlier render must not vouch for pages made since from other inputs)
      saved[#saved + 1] = { path = first, key = key or '-', pages = stamps(m, pages), reads = reads }
    end
  end
  return saved
end

-- Copy the files under dir into target, rewriting only those that changed.
local function copy_tree(dir, target, out)
  local names, err = cfs.list(dir)
  if not names then util.fail('static: ' .. err, 'config') end
  local mk, merr = cfs.mkdirs(target)
  if not mk then util.fail('output directory: ' .. merr, 'write') end
  for _, name in ipairs(names) do
    if not name:match('^%.') then
      local src = dir .. '/' .. name
      local st = cfs.stat(src)
      if st and st.type == 'directory' then
        copy_tree(src, target .. '/' .. name, out)
      elseif st and st.type == 'file' then
        emit(out, target .. '/' .. name, assert(cfs.read(src)))
      end
    end
  end
end

-- Render the planet's own template files (cfg.templates): htmltmpl (.tmpl) with Planet 2.0's
-- variables, etlua with orrery's; then the maintainers' health pages of the default layout.
local function render_templates(cfg, ctx, helpers, out)
  local htmltmpl = require('orrery.htmltmpl')
  local vars
  for _, path in ipairs(cfg.templates) do
    local src, rerr = cfs.read(path)
    if not src then util.fail('template: ' .. rerr, 'config') end
    local name = path:match('([^/]+)$')
    if name:match('%.tmpl$') then
      local render, cerr = htmltmpl.load(src, path, cfs.read)
      if not render then error('layout: ' .. cerr, 0) end
      vars = vars or require('orrery.planet2').vars(cfg, ctx)
      emit(out, cfg.output_dir .. '/' .. name:gsub('%.tmpl$', ''), run(render, vars, path .. ': '))
    else
      emit(out, cfg.output_dir .. '/' .. name:gsub('%.etlua$', ''), run(compile(src, path, helpers), ctx))
    end
  end
  for _, name in ipairs({ 'health.html.etlua', 'health.json.etlua' }) do
    local path = M.dir('default') .. '/' .. name
    local render = compile(assert(cfs.read(path)), path, helpers)
    emit(out, cfg.output_dir .. '/' .. name:gsub('%.etlua$', ''), run(render, ctx))
  end
end

--- Render every template of the layout (or the planet's own templates), and copy its
--- static directories.  Returns { written = {...}, unchanged = {...} }.
function M.render(cfg, st)
  local dir = M.dir(cfg.layout)
  local names, err = cfs.list(dir)
  if not names then util.fail('layout: ' .. err, 'config') end
  table.sort(names)
  local mk, merr = cfs.mkdirs(cfg.output_dir)
  if not mk then util.fail('output directory: ' .. merr, 'write') end
  local ctx = M.context(cfg, st)
  local out = { written = {}, unchanged = {} }
  local helpers = setmetatable({
    date = locale.date(cfg),
  }, { __index = M.helpers })
  for _, d in ipairs(cfg.static) do
    copy_tree(d, cfg.output_dir .. '/' .. d:match('([^/]+)/*$'), out)
  end
  if #cfg.templates > 0 then
    render_templates(cfg, ctx, helpers, out)
    return out
  end
  for _, name in ipairs(names) do
    local src_path = dir .. '/' .. name
    local stat = cfs.stat(src_path)
    if name == 'archive.html.etlua' then
      -- one page per month, archive/YYYY-MM.html, each with its neighbours
      local src = assert(cfs.read(src_path))
      local render = compile(src, src_path, helpers)
      local mk2, merr2 = cfs.mkdirs(cfg.output_dir .. '/archive')
      if not mk2 then util.fail('output directory: ' .. merr2, 'write') end
      out.rendered = render_archive(cfg, ctx, st, render, src, helpers, out)
    elseif stat and stat.type == 'file' and not name:match('^%.') then
      local src = assert(cfs.read(src_path))
      if name:match('%.etlua$') then
        emit(out, cfg.output_dir .. '/' .. name:gsub('%.etlua$', ''), run(compile(src, src_path, helpers), ctx))
      else
        emit(out, cfg.output_dir .. '/' .. name, src)
      end
    end
  end
  return out
end

return M
