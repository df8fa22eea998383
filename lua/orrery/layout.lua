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
        gone = row.gone == 1, error = publish.message(cfg, row.last_error), errors = row.errors,
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
      path = 'archive/' .. shown.archive_file(m.month, 1) }
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

-- The archive page context of page p of month i (ctx.months[i]): its entries by day (those
-- after row `after`, the previous page's last), the month's neighbours and its other pages.
-- Returns it and the page's last row.  A page holds archive_page_entries entries, so that
-- a month of 100,000 entries is neither one page of 500 MB nor as much memory to render.
local function month_context(cfg, ctx, i, p, after)
  local m = ctx.months[i]
  local per = cfg.archive_page_entries > 0 and cfg.archive_page_entries or nil
  local function pages_of(month) return per and math.max(1, (month.entries + per - 1) // per) or 1 end
  local pages = pages_of(m)
  local from, to = shown.month_bounds(m.month)
  local rows = ctx.view:range(from, to, per, after)
  local entries, days = M.entries_by_day(cfg, rows, ctx.by_id)
  local c = setmetatable({}, { __index = ctx })
  c.archive = { month = m.month, title = m.title, entries = entries, days = days, total = m.entries,
    newer = ctx.months[i - 1], older = ctx.months[i + 1], page = p, pages = pages,
    newer_page = p > 1 and shown.archive_file(m.month, p - 1) or nil,
    older_page = p < pages and shown.archive_file(m.month, p + 1) or nil,
    -- the newer month's last page: the entries that come right after this month's newest
    newer_last = ctx.months[i - 1] and shown.archive_file(ctx.months[i - 1].month, pages_of(ctx.months[i - 1])) }
  return c, rows[#rows], pages
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
      local render = compile(assert(cfs.read(src_path)), src_path, helpers)
      local mk2, merr2 = cfs.mkdirs(cfg.output_dir .. '/archive')
      if not mk2 then util.fail('output directory: ' .. merr2, 'write') end
      for i, m in ipairs(ctx.months) do
        local p, after = 1, nil
        repeat                                   -- one page in memory at a time
          local c, last, pages = month_context(cfg, ctx, i, p, after)
          emit(out, cfg.output_dir .. '/archive/' .. shown.archive_file(m.month, p), run(render, c))
          p, after = p + 1, last
        until p > pages or not after
      end
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
