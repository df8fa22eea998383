--- orrery.shown: which stored entries the planet shows, and why each other one is not.
---
--- The one owner of every rule that keeps a stored entry off the pages; the layout's pages,
--- Planet 2.0 templates, `orrery why` and the REPL's why() all ask it.  In the order they
--- are checked:
---   feed       its feed is not in planet.lua (any more), or is disabled
---   filter     the planet's or the feed's `filter` did not match it, or `exclude` did
---   new feed   it was in a new feed's back catalogue beyond new_feed_items
---   duplicate  another feed carries the same post, and that copy is shown (dedupe)
--- Stored entries are never changed by these rules: editing planet.lua changes the pages at
--- the next render.  Entries removed for good (retention, orrery.retention) and entries a
--- recipe dropped never reach the store; why() finds them in their own tables.
local chtml = require('orrery._html')
local cpattern = require('orrery._pattern')
local cutil = require('orrery._util')

local M = {}

-- Query parameters that only say where a reader came from: two links differing in them
-- lead to the same post.
local tracking = { fbclid = true, gclid = true, yclid = true, mc_cid = true, mc_eid = true, igshid = true,
  _hsenc = true, _hsmi = true, ref_src = true }
M.TRACKING = tracking

--- A link as dedupe compares it (nil: not an http(s) link): scheme, "www.", default port,
--- fragment, trailing slash, index.html and tracking parameters do not count; the other
--- parameters are sorted.
--- (Written out in C, cutil.link_key: it runs for every entry stored.  The keys are stored,
--- so the rule's C must keep giving what its Lua gave; lua_modules_spec holds that Lua.)
function M.link_key(link)
  return cutil.link_key(link, tracking)
end

-- A title as dedupe compares it.  (chtml.text_key squashes the title the same way in C, for
-- the stored text keys: that copy is frozen with them, html_spec checks it against this
-- rule, and a change here would need the stored keys made again.)
local function squash(s)
  return (s or ''):lower():gsub('%s+', ' '):gsub('^ ', ''):gsub(' $', '')
end

--- Entries with less text than this are not compared by their text (a two-word post
--- is not the same post as another two-word post).
M.TEXT_MIN = 200

--- The text key of an entry: a hash of its title and text (the text of its first
--- TEXT_PREFIX bytes of HTML: enough to tell posts apart, and a long post costs no more),
--- for entries with at least TEXT_MIN bytes of text (nil otherwise).  A mirror or a
--- category feed that changed the links still has the same words.
M.TEXT_PREFIX = 3000
--- (The hash of squash(title) .. '\0' .. text(html:sub(1, TEXT_PREFIX), 'key'), made in one
--- C call: this runs for every entry stored.)
function M.text_key(e)
  return chtml.text_key(e.content or e.summary or '', e.title, M.TEXT_PREFIX, M.TEXT_MIN)
end

-- An id that names one post wherever it appears (an http(s) URL, a tag: or urn: URI) and
-- is not just the entry's link (an entry without an id takes its link as id, and two link
-- blogs may point at the same page with their own words: the link rule decides those).
local function global_id(row)
  local g = row.guid
  local scheme = g and g:match('^(%a[%w+.-]*):')
  scheme = scheme and scheme:lower()
  if scheme ~= 'http' and scheme ~= 'https' and scheme ~= 'tag' and scheme ~= 'urn' then return nil end
  if g == row.link or g:match('^urn:orrery:') then return nil end
  return g
end

--------------------------------------------------------------------------------------
-- filters

-- A pattern as written in planet.lua, matched without regard to case: the text is lower-
-- cased, and so is every letter of the pattern that is not a class (%W stays %W).
local function lower_pattern(p)
  return (p:gsub('(%%?)(.)', function(esc, c) return esc == '' and c:lower() or esc .. c end))
end

-- A filter from the config (nil, a pattern, a list of patterns, or a function) as a
-- function(entry, text) -> matched, what (the pattern or the function's reason).
local function compile_filter(f, where)
  if f == nil then return nil end
  if type(f) == 'function' then
    return function(e)
      local ok, res, why = pcall(f, e)
      if not ok then error(string.format('%s raised: %s', where, tostring(res)), 0) end
      return res and true or false, type(why) == 'string' and why or where .. ' (a function)'
    end
  end
  local list = type(f) == 'table' and f or { f }
  local pats = {}
  for i, p in ipairs(list) do
    pats[i] = { lower_pattern(p), p }
    -- a pattern that does not compile is a config error, found before any page is written
    local ok, err = pcall(cpattern.find, '', pats[i][1])
    if not ok then error(string.format('config: %s: %q: %s', where, p, err), 0) end
  end
  return function(_, text)
    for _, p in ipairs(pats) do
      if cpattern.find(text, p[1]) then return true, string.format('%s %q', where, p[2]) end
    end
    return false, where
  end
end

--- Check the filters of a config (raises "config: ..." for a pattern that does not compile).
function M.check_filters(cfg)
  compile_filter(cfg.filter, 'filter')
  compile_filter(cfg.exclude, 'exclude')
  for i, fc in ipairs(cfg.feeds) do
    compile_filter(fc.filter, string.format('feeds[%d].filter', i))
    compile_filter(fc.exclude, string.format('feeds[%d].exclude', i))
  end
end

--------------------------------------------------------------------------------------
-- the view: the rules of one config over one store

local View = {}
View.__index = View

--- The rules of cfg over store st, worked out once for a render (or a why()).
function M.view(cfg, st)
  local v = setmetatable({ cfg = cfg, st = st, fc = {}, rank = {}, filters = {} }, View)
  local by_url = {}
  for i, fc in ipairs(cfg.feeds) do by_url[fc.url] = { fc, i } end
  for row in st.db:rows('SELECT id, url FROM feeds') do
    local c = by_url[row.url]
    if c and c[1].enabled then
      v.fc[row.id], v.rank[row.id] = c[1], c[2]
      local fi = {
        compile_filter(cfg.filter, "the planet's filter"), compile_filter(cfg.exclude, "the planet's exclude"),
        compile_filter(c[1].filter, "its feed's filter"), compile_filter(c[1].exclude, "its feed's exclude"),
      }
      if fi[1] or fi[2] or fi[3] or fi[4] then v.filters[row.id] = fi end
    elseif c then
      v.disabled = v.disabled or {}
      v.disabled[row.id] = true
    end
  end
  -- a new feed's back catalogue: the entries of its first fetch (all first seen at once)
  -- beyond its newest new_feed_items
  v.backlog = {}
  if cfg.new_feed_items > 0 then
    for row in st.db:rows([[
        WITH first AS (SELECT feed_id, min(first_seen) AS t FROM entries GROUP BY feed_id)
        SELECT id FROM (SELECT e.id, row_number() OVER (PARTITION BY e.feed_id ORDER BY e.date DESC, e.id DESC) AS n
          FROM entries e JOIN first f ON f.feed_id = e.feed_id AND e.first_seen = f.t)
        WHERE n > ?]], cfg.new_feed_items) do
      v.backlog[row.id] = true
    end
  end
  return v
end

-- What filters match: the title and the text of the stored HTML, in lower case (the fast
-- scan of stored HTML: a render may run every stored entry through the filters).
local function entry_text(row)
  return (row.title or ''):lower() .. '\n' .. chtml.text(row.content or row.summary or '', 'key')
end

-- Why the filters hide row (nil: they do not).
function View:filtered(row)
  local fi = self.filters[row.feed_id]
  if not fi then return nil end
  local text = entry_text(row)
  local e = setmetatable({ text = text }, { __index = row })
  for i = 1, 4 do
    local f = fi[i]
    if f then
      local matched, what = f(e, text)
      local is_filter = i % 2 == 1
      if is_filter ~= matched then
        return { rule = 'filter', text = 'hidden: ' .. what .. (matched and ' matches it' or ' does not match it') }
      end
    end
  end
  return nil
end

-- Why row is hidden before dedupe is asked (nil: it is a candidate).
function View:hidden_early(row)
  if not self.fc[row.feed_id] then
    if self.disabled and self.disabled[row.feed_id] then
      return { rule = 'feed', text = 'hidden: its feed is disabled (enabled = false in planet.lua)' }
    end
    return { rule = 'feed', text = 'hidden: its feed is not in planet.lua any more' }
  end
  local f = self:filtered(row)
  if f then return f end
  if self.backlog[row.id] then
    return { rule = 'new feed', text = string.format("hidden: it came with its feed's first fetch, and only the "
      .. 'newest %d of those are shown (new_feed_items)', self.cfg.new_feed_items) }
  end
  return nil
end

local function find(parent, x)
  while parent[x] ~= x do
    parent[x] = parent[parent[x]]
    x = parent[x]
  end
  return x
end

--- Duplicates: { [entry id] = { rule =, winner = entry id, text = } } for every hidden copy.
--- The same post is: the same id (a URI that is not just the link), the same link with the
--- same title, or the same title and text (at least TEXT_MIN bytes) — in two feeds.  Of a
--- group of copies the one shown is the copy seen first (dedupe = 'first'), the one whose
--- feed comes first in planet.lua ('order'), or the longest ('longest').
function View:duplicates()
  if self.dups then return self.dups end
  self.dups = {}
  if self.cfg.dedupe == false then return self.dups end
  local rows = {}
  for row in self.st.db:rows([[SELECT * FROM entries WHERE
      guid IN (SELECT guid FROM entries GROUP BY guid HAVING count(DISTINCT feed_id) > 1)
      OR link_key IN (SELECT link_key FROM entries WHERE link_key IS NOT NULL GROUP BY link_key
        HAVING count(DISTINCT feed_id) > 1)
      OR text_key IN (SELECT text_key FROM entries WHERE text_key IS NOT NULL GROUP BY text_key
        HAVING count(DISTINCT feed_id) > 1)
      ORDER BY id]]) do
    if not self:hidden_early(row) then
      rows[#rows + 1] = row
    end
  end
  -- the groups: copies joined by any rule, across feeds
  local parent, edges = {}, {}
  for _, r in ipairs(rows) do parent[r.id] = r.id end
  -- a copy joins the first copy of its key from another feed (a star, not every pair: a
  -- thousand feeds carrying one post cost a thousand links, not a million)
  local function join(key, rule, r)
    if not key then return end
    key = rule .. '\0' .. key
    local k = edges[key]
    if not k then edges[key] = { r } return end
    local o = k[1].feed_id ~= r.feed_id and k[1] or k[2]
    if o then
      o.links = o.links or {}
      r.links = r.links or {}
      table.insert(o.links, { r, rule })
      table.insert(r.links, { o, rule })
      parent[find(parent, o.id)] = find(parent, r.id)
    end
    if not k[2] and k[1].feed_id ~= r.feed_id then k[2] = r end
  end
  for _, r in ipairs(rows) do
    join(global_id(r), 'the same id', r)
    join(r.link_key and (r.link_key .. '\0' .. squash(r.title)), 'the same link and title', r)
    join(r.text_key, 'the same title and text', r)
  end
  local groups = {}
  for _, r in ipairs(rows) do
    if r.links then
      local g = find(parent, r.id)
      groups[g] = groups[g] or {}
      table.insert(groups[g], r)
    end
  end
  local prefer = self.cfg.dedupe
  local function better(a, b)
    if prefer == 'order' and self.rank[a.feed_id] ~= self.rank[b.feed_id] then
      return self.rank[a.feed_id] < self.rank[b.feed_id]
    end
    if prefer == 'longest' then
      local la, lb = #(a.content or a.summary or ''), #(b.content or b.summary or '')
      if la ~= lb then return la > lb end
    end
    if a.first_seen ~= b.first_seen then return a.first_seen < b.first_seen end
    -- seen in the same run: the feed listed first in planet.lua, not the one that answered first
    if self.rank[a.feed_id] ~= self.rank[b.feed_id] then return self.rank[a.feed_id] < self.rank[b.feed_id] end
    return a.id < b.id
  end
  local how = { first = 'the copy seen first is shown', longest = 'the longest copy is shown',
    order = 'the copy from the feed listed first in planet.lua is shown' }
  for _, g in pairs(groups) do
    local win = g[1]
    for i = 2, #g do if better(g[i], win) then win = g[i] end end
    -- each other copy: the rule that joined it to the group, on its way to the winner
    local seen, queue = { [win.id] = true }, { win }
    local i = 1
    while queue[i] do
      local cur = queue[i]
      i = i + 1
      for _, l in ipairs(cur.links or {}) do
        local o, rule = l[1], l[2]
        if not seen[o.id] then
          seen[o.id] = true
          queue[#queue + 1] = o
          local wf = self.fc[win.feed_id]
          self.dups[o.id] = { rule = 'duplicate', winner = win.id, matched = rule,
            text = string.format('hidden: a duplicate (%s) of the entry %q from %s, which is shown '
              .. '(dedupe = %q: %s)', rule, win.title or win.guid, wf and wf.name or '?', prefer, how[prefer] or '') }
        end
      end
    end
  end
  return self.dups
end

--- Why a stored entry row is not shown, as { rule, text [, winner] }; nil when it is shown
--- (on a page, if it is new enough for one).
function View:hidden(row)
  return self:hidden_early(row) or self:duplicates()[row.id]
end

--- The shown entries among rows of `sql` (a SELECT of entries e ... with its ORDER BY),
--- at most limit (nil: all) over at most max_days days (0 or nil: any).
function View:select(sql, args, limit, max_days)
  local out, days, last_day = {}, 0, nil
  self:duplicates()
  local zone = self.cfg.time_zone
  for row in self.st.db:rows(sql, table.unpack(args or {})) do
    if not self:hidden(row) then
      if max_days and max_days > 0 then
        local day = cutil.strftime('%Y-%m-%d', row.date, zone)
        if day ~= last_day then
          days = days + 1
          if days > max_days then break end
          last_day = day
        end
      end
      out[#out + 1] = row
      if limit and #out >= limit then break end
    end
  end
  return out
end

local ENTRIES = [[SELECT e.*, f.name AS feed_name, f.url AS feed_url, f.link AS feed_link
  FROM entries e JOIN feeds f ON f.id = e.feed_id]]

--- The front page: the newest shown entries, items_per_page of them over at most
--- days_per_page days.  Rows carry feed_name, feed_url, feed_link; tags and enclosures
--- are decoded.
function View:page()
  if self.front then return self.front end
  local rows = self:select(ENTRIES .. ' ORDER BY e.date DESC, e.id DESC', nil, self.cfg.items_per_page,
    self.cfg.days_per_page)
  self.front = M.decode(rows)
  return self.front
end

--- The file of page p of an archive month ('YYYY-MM'), under archive/: the month's own
--- name for its first page (what every link to the month names), then YYYY-MM-pN.html.
function M.archive_file(month, p)
  return p > 1 and string.format('%s-p%d.html', month, p) or month .. '.html'
end

--- The UTC seconds a month ('YYYY-MM') spans: [from, to).
function M.month_bounds(month)
  local util = require('orrery.util')
  local y, mo = month:match('^(%d+)-(%d+)$')
  return util.utc_time(tonumber(y), tonumber(mo), 1), util.utc_time(tonumber(y), tonumber(mo) + 1, 1)
end

--- The archive file a shown row is on: its month's page, archive_page_entries a page.
function View:archive_file(row)
  local month = os.date('!%Y-%m', row.date)
  local per = self.cfg.archive_page_entries
  if not per or per <= 0 then return M.archive_file(month, 1) end
  local from, to = M.month_bounds(month)
  local newer = self:select(ENTRIES .. ' WHERE e.date >= ? AND e.date < ?'
    .. ' AND (e.date > ? OR (e.date = ? AND e.id > ?))', { from, to, row.date, row.date, row.id })
  return M.archive_file(month, #newer // per + 1)
end

--- The shown entries dated in [from, to), newest first: at most limit of them (nil: all),
--- those after row `after` (the last of the previous page: its date and id) when given.
function View:range(from, to, limit, after)
  local sql, args = ENTRIES .. ' WHERE e.date >= ? AND e.date < ?', { from, to }
  if after then
    sql = sql .. ' AND (e.date < ? OR (e.date = ? AND e.id < ?))'
    args[3], args[4], args[5] = after.date, after.date, after.id
  end
  return M.decode(self:select(sql .. ' ORDER BY e.date DESC, e.id DESC', args, limit))
end

--- The months (UTC) that have shown entries, newest first: { month = 'YYYY-MM', entries = n,
--- digest = }: digest changes whenever the month's shown entries do (one is added, hidden,
--- edited, moved in time, or its first-seen time changes), so that its archive pages need
--- not be made again to know they would be the same.
function View:months()
  local counts, order, rows = {}, {}, {}
  local needs_text = next(self.filters) ~= nil
  -- (in the order of the date's index, which holds all of these: the entries' HTML is not
  -- read.  Any order serves the digest if it is always the same.)
  local from = ' FROM entries ORDER BY date DESC, feed_id, first_seen, hash, id'
  local sql = needs_text and 'SELECT *' .. from or 'SELECT id, feed_id, date, first_seen, hash' .. from
  self:duplicates()
  for row in self.st.db:rows(sql) do
    if not self:hidden(row) then
      local m = os.date('!%Y-%m', row.date)
      if not counts[m] then counts[m], rows[m] = 0, {} order[#order + 1] = m end
      counts[m] = counts[m] + 1
      local r = rows[m]
      r[#r + 1] = string.format('%s %s %s %s %s', row.id, row.feed_id, row.date, row.first_seen, row.hash)
    end
  end
  local out = {}
  for i, m in ipairs(order) do
    out[i] = { month = m, entries = counts[m], digest = cutil.digest(table.concat(rows[m], '\n')) }
  end
  return out
end

local function day(t) return t and os.date('!%Y-%m-%d %H:%M UTC', t) or '?' end

-- What is known about one stored entry row: where it is shown, or why not.
function View:explain(row, front)
  local fc = self.fc[row.feed_id]
  local feed = fc and fc.name
    or self.st.db:one('SELECT coalesce(name, url) AS n FROM feeds WHERE id = ?', row.feed_id).n
  local a = { entry = row.title or row.link or row.guid, feed = feed, id = row.id, lines = {} }
  local function say(fmt, ...) a.lines[#a.lines + 1] = string.format(fmt, ...) end
  say('stored from %s: first seen %s, dated %s', feed, day(row.first_seen), day(row.date))
  local claimed = row.published or row.updated
  if claimed and claimed ~= row.date then
    if claimed > row.first_seen + self.cfg.future_tolerance then
      say('its feed dates it %s, further ahead than future_tolerance (%d s) when it was first seen: '
        .. 'dated when first seen instead', day(claimed), self.cfg.future_tolerance)
    elseif claimed > row.date then
      say('its feed now dates it %s; the earlier date is kept (a re-dated post does not float to the top)',
        day(claimed))
    end
  end
  local h = self:hidden(row)
  if h then
    a.shown, a.rule = false, h.rule
    say('%s', h.text)
    if h.winner then
      local w = self.st.db:one('SELECT * FROM entries WHERE id = ?', h.winner)
      a.winner = w and (w.link or w.guid)
    end
    return a
  end
  a.shown = true
  local pos = front[row.id]
  if pos then
    say('shown: on the front page (#%d of %d), and in the archive for %s (archive/%s)', pos, front.n,
      os.date('!%Y-%m', row.date), self:archive_file(row))
  else
    say('shown: in the archive for %s (archive/%s), not on the front page (items_per_page = %d%s)',
      os.date('!%Y-%m', row.date), self:archive_file(row), self.cfg.items_per_page,
      self.cfg.days_per_page > 0 and string.format(', days_per_page = %d', self.cfg.days_per_page) or '')
  end
  return a
end

--- Why an entry is shown or not: x is its link, its id, or its title.  Returns a list of
--- answers { entry, feed, shown (true, false, or nil: not stored), rule, lines = {...} },
--- one per stored copy, removed copy (retention) and dropped one (recipe); empty when
--- nothing is known of x.
function View:why(x)
  local out = {}
  local key = M.link_key(x)
  local rows = {}
  for row in self.st.db:rows([[SELECT * FROM entries WHERE guid = ? OR link = ? OR (link_key = ? AND ? IS NOT NULL)
      ORDER BY id]], x, x, key, key) do
    rows[#rows + 1] = row
  end
  if #rows == 0 then
    for row in self.st.db:rows('SELECT * FROM entries WHERE lower(title) = lower(?) ORDER BY id', x) do
      rows[#rows + 1] = row
    end
  end
  local front = { n = 0 }
  if #rows > 0 then
    for i, r in ipairs(self:page()) do front[r.id] = i front.n = i end
  end
  for _, row in ipairs(rows) do out[#out + 1] = self:explain(row, front) end
  for row in self.st.db:rows([[SELECT x.*, coalesce(f.name, f.url) AS feed FROM expunged x
      JOIN feeds f ON f.id = x.feed_id WHERE x.guid = ? OR x.link = ? OR lower(x.title) = lower(?)]], x, x, x) do
    out[#out + 1] = { entry = row.title or row.link or row.guid, feed = row.feed, shown = false, rule = 'retention',
      lines = { string.format('removed from %s on %s by retention: %s; its feed last carried it %s', row.feed,
        day(row.removed_at), row.rule, day(row.last_seen)) } }
  end
  for row in self.st.db:rows([[SELECT d.*, coalesce(f.name, f.url) AS feed FROM dropped d
      JOIN feeds f ON f.id = d.feed_id WHERE d.guid = ? OR d.link = ? OR lower(d.title) = lower(?)]], x, x, x) do
    out[#out + 1] = { entry = row.title or row.link or row.guid, feed = row.feed, shown = false, rule = 'recipe',
      lines = { string.format('not stored: %s (%s)', row.reason, day(row.time)) } }
  end
  return out
end

--- Stored rows with tags and enclosures decoded from their JSON.
function M.decode(rows)
  local json = require('orrery.json')
  for _, row in ipairs(rows) do
    if type(row.tags) == 'string' then row.tags = json.decode_strings(row.tags) or {} end
    if type(row.enclosures) == 'string' then
      row.enclosures = row.enclosures == '[]' and {} or json.decode(row.enclosures) or {}
    end
  end
  return rows
end

return M
