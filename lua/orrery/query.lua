--- orrery.query: asking the store questions — the API of `orrery repl`, usable from any
--- Lua code that has a store (orrery.store).
---
---   q.feed(st, x)            a feed row by id, URL, exact name or unique part of a name
---   q.feeds(st)              every feed with its entry count and newest entry date
---   q.entries(st, filter)    { feed=, since=, until=, author=, tag=, limit=, order= }
---   q.search(st, text, opt)  full-text search (FTS5), best match first, with a snippet
---   q.by_feed(st), q.by_day(st, days)            counts
---   q.document(st, feed)     the raw document of the feed's last refresh
---   q.fetch_log(st, feed?, limit?)               the newest fetches, newest first
local cutil = require('orrery._util')
local json = require('orrery.json')
local util = require('orrery.util')

-- A mistake in how a function was called (a bad filter, a date that is none): reported to
-- the person as one line naming the argument, not as a traceback (the REPL prints it so).
local function mistake(fmt, ...) util.fail(string.format(fmt, ...)) end

local M = {}

--- search() ranks the newest this many matches of a query (see there).
M.RANK_WINDOW = 5000

--- Metatables that tell the REPL's printer what a list holds.
M.EntryList = { __name = 'orrery.EntryList' }
M.FeedList = { __name = 'orrery.FeedList' }
--- A list of records printed as a table with these columns.
function M.rows(columns)
  return setmetatable({}, { __name = 'orrery.Rows', columns = columns })
end

local ENTRY_SELECT = [[
  SELECT e.*, f.name AS feed_name, f.url AS feed_url, f.link AS feed_link
  FROM entries e JOIN feeds f ON f.id = e.feed_id]]

local function decode(row)
  row.tags = json.decode(row.tags or '[]') or {}
  row.enclosures = json.decode(row.enclosures or '[]') or {}
  return row
end

local units = { s = 1, m = 60, h = 3600, d = 86400, w = 7 * 86400, second = 1, minute = 60, hour = 3600,
  day = 86400, week = 7 * 86400 }

--- A date filter value: seconds, a date string orrery reads ("2026-04-01", RFC 822, ...),
--- 'now', 'today', 'yesterday' (midnight UTC), 'last week', 'last month', or a time ago:
--- '3 days ago', '12h', '2w'.
function M.when(v, name, now)
  if v == nil then return nil end
  if math.type(v) == 'integer' then return v end
  if type(v) == 'number' then return math.floor(v) end
  if type(v) ~= 'string' then mistake('%s: a date is a string or seconds, not a %s', name, type(v)) end
  now = now or os.time()
  local s = v:lower():gsub('^%s+', ''):gsub('%s+$', '')
  if s == 'now' then return now end
  if s == 'today' then return now - now % 86400 end
  if s == 'yesterday' then return now - now % 86400 - 86400 end
  if s == 'last week' then return now - 7 * 86400 end
  if s == 'last month' then return now - 30 * 86400 end
  local n, unit = s:match('^(%d+)%s*(%a+)$')
  if not n then n, unit = s:match('^(%d+)%s*(%a+)%s+ago$') end
  unit = unit and (units[unit] or units[unit:gsub('s$', '')])
  if n and unit then return now - tonumber(n) * unit end
  local t = cutil.date(v)
  if not t then
    mistake("%s: cannot read %q as a date (try '2026-11-01', 'yesterday', '3 days ago' or seconds)", name, v)
  end
  return t
end
local when = M.when

--- Find a feed.  Returns the row, or nil, err (no match, or several).
function M.feed(st, x)
  if type(x) == 'table' and x.id then x = x.feed_id or x.id end
  if math.type(x) == 'integer' then
    local row = st.db:one('SELECT * FROM feeds WHERE id = ?', x)
    if row then return row end
    return nil, 'no feed with id ' .. x
  end
  if type(x) ~= 'string' then mistake('feed: expected an id, a URL or a name, not a %s', type(x)) end
  local row = st.db:one('SELECT * FROM feeds WHERE url = ? OR fetch_url = ? OR lower(name) = lower(?)', x, x, x)
  if row then return row end
  local found = {}
  for r in st.db:rows([[SELECT * FROM feeds
      WHERE instr(lower(coalesce(name, '') || ' ' || coalesce(title, '')), lower(?)) > 0]], x) do
    found[#found + 1] = r
  end
  if #found == 1 then return found[1] end
  if #found == 0 then return nil, string.format('no feed matches %q', x) end
  local names = {}
  for i, r in ipairs(found) do names[i] = r.name or r.url end
  return nil, string.format('%q matches %d feeds: %s', x, #found, table.concat(names, ', '))
end

local function must_feed(st, x)
  local row, err = M.feed(st, x)
  if not row then mistake('%s', err) end
  return row
end

--- Every feed, with entries (count) and newest (date).
function M.feeds(st)
  local out = setmetatable({}, M.FeedList)
  for row in st.db:rows([[
      SELECT f.*, count(e.id) AS entries, max(e.date) AS newest
      FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id
      GROUP BY f.id ORDER BY lower(coalesce(f.name, f.title, f.url))]]) do
    out[#out + 1] = row
  end
  return out
end

local orders = {
  date = 'e.date DESC, e.id DESC', newest = 'e.date DESC, e.id DESC', oldest = 'e.date ASC, e.id ASC',
  title = 'lower(e.title) ASC', feed = 'lower(f.name) ASC, e.date DESC',
}

--- Entries matching a filter, newest first unless `order` says otherwise.
---@param filter table|nil { feed, since, until, author, tag, limit (50), order }
function M.entries(st, filter)
  filter = filter or {}
  if type(filter) ~= 'table' then mistake('entries: give a filter table, e.g. entries{feed = ..., since = ...}') end
  for k in pairs(filter) do
    if not ({ feed = 1, since = 1, ['until'] = 1, author = 1, tag = 1, limit = 1, order = 1 })[k] then
      mistake('entries: unknown filter %s (feed, since, until, author, tag, limit, order)', tostring(k))
    end
  end
  local where, args = {}, {}
  if filter.feed ~= nil then
    where[#where + 1] = 'e.feed_id = ?'
    args[#args + 1] = must_feed(st, filter.feed).id
  end
  if filter.since ~= nil then
    where[#where + 1] = 'e.date >= ?'
    args[#args + 1] = when(filter.since, 'entries: since')
  end
  if filter['until'] ~= nil then
    where[#where + 1] = 'e.date < ?'
    args[#args + 1] = when(filter['until'], 'entries: until')
  end
  if filter.author ~= nil then
    where[#where + 1] = "instr(lower(coalesce(e.author, '')), lower(?)) > 0"
    args[#args + 1] = filter.author
  end
  if filter.tag ~= nil then
    where[#where + 1] = 'EXISTS (SELECT 1 FROM json_each(e.tags) WHERE lower(value) = lower(?))'
    args[#args + 1] = filter.tag
  end
  local order = orders[filter.order or 'date']
  if not order then mistake('entries: unknown order %s (date, oldest, title, feed)', tostring(filter.order)) end
  if filter.limit ~= nil and math.type(filter.limit) ~= 'integer' then mistake('entries: limit is a whole number') end
  local sql = ENTRY_SELECT .. (#where > 0 and (' WHERE ' .. table.concat(where, ' AND ')) or '')
    .. ' ORDER BY ' .. order .. ' LIMIT ?'
  args[#args + 1] = filter.limit or 50
  local out = setmetatable({}, M.EntryList)
  for row in st.db:rows(sql, table.unpack(args)) do out[#out + 1] = decode(row) end
  return out
end

-- FTS5 query syntax is strict; a phrase typed by a person is turned into terms that must
-- all appear (each quoted, so punctuation cannot break the query).
local function fts_query(text)
  local terms = {}
  for w in text:gmatch('[^%s"]+') do terms[#terms + 1] = '"' .. w .. '"' end
  return table.concat(terms, ' ')
end

--- Full-text search over titles, authors and text.  Best match first, among the newest
--- RANK_WINDOW entries that match.
---@param text string words (all must appear); opts.raw = true passes FTS5 syntax through
---@param opts table|nil { limit = 20, feed = , raw = false }
function M.search(st, text, opts)
  opts = opts or {}
  if type(text) ~= 'string' or text:match('^%s*$') then
    mistake('search: give some words, e.g. search("free threading")')
  end
  local q = opts.raw and text or fts_query(text)
  local args = { q }
  local feed_clause = ''
  if opts.feed ~= nil then
    feed_clause = ' AND e.feed_id = ?'
    args[#args + 1] = must_feed(st, opts.feed).id
  end
  args[#args + 1] = opts.limit or 20
  local out = setmetatable({}, M.EntryList)
  st:index()   -- entries written outside orrery's own transactions (the sqlite3 shell)
  -- Two steps: rank inside the index and keep the best few ids (a term that is in every
  -- entry matches them all, so nothing wide may be carried through the sort), then fetch
  -- those rows and their snippets.
  local ok, err = pcall(function()
    local ids = {}
    -- Ranking costs one bm25() per matching entry, and a word that is in every entry
    -- matches 100,000 of them; so only the newest RANK_WINDOW matches are ranked (FTS5
    -- walks its lists in rowid order, newest first, cheaply).  rowid is the entry id,
    -- which grows as entries arrive.
    local floor = st.db:one([[SELECT rowid AS id FROM entries_fts WHERE entries_fts MATCH ?
      ORDER BY rowid DESC LIMIT 1 OFFSET ?]], q, M.RANK_WINDOW - 1)
    table.insert(args, 2, floor and floor.id or 0)
    local sql = feed_clause == '' and
      'SELECT rowid AS id FROM entries_fts WHERE entries_fts MATCH ? AND rowid >= ? ORDER BY rank LIMIT ?' or
      [[SELECT e.id FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
        WHERE entries_fts MATCH ? AND entries_fts.rowid >= ?]] .. feed_clause .. ' ORDER BY rank LIMIT ?'
    for row in st.db:rows(sql, table.unpack(args)) do ids[#ids + 1] = row.id end
    for _, id in ipairs(ids) do
      local row = st.db:one(ENTRY_SELECT .. ' WHERE e.id = ?', id)
      row.snippet = st.db:one([[SELECT snippet(entries_fts, 2, '[', ']', '…', 12) AS s
        FROM entries_fts WHERE entries_fts MATCH ? AND rowid = ?]], q, id).s
      out[#out + 1] = decode(row)
    end
  end)
  if not ok then mistake('search: %s', (tostring(err):gsub('^.-sql: ', ''))) end
  return out
end

--- Entries per feed: { feed, entries, newest, oldest }.
function M.by_feed(st)
  local out = M.rows({ 'feed', 'entries', 'newest', 'oldest' })
  for row in st.db:rows([[
      SELECT f.name AS feed, count(e.id) AS entries, max(e.date) AS newest, min(e.date) AS oldest
      FROM feeds f LEFT JOIN entries e ON e.feed_id = f.id
      GROUP BY f.id ORDER BY count(e.id) DESC, lower(f.name)]]) do
    out[#out + 1] = row
  end
  return out
end

--- Entries per day (UTC) for the last `days` days that have any: { day, entries }.
function M.by_day(st, days)
  local out = M.rows({ 'day', 'entries' })
  for row in st.db:rows([[
      SELECT date(date, 'unixepoch') AS day, count(*) AS entries FROM entries
      GROUP BY day ORDER BY day DESC LIMIT ?]], days or 30) do
    out[#out + 1] = row
  end
  return out
end

--- The document of a feed's last refresh: { url, status, content_type, fetched_at, body }.
function M.document(st, feed)
  local row = must_feed(st, feed)
  local doc = st:document(row.id)
  if not doc then return nil, 'no document stored yet for ' .. (row.name or row.url) end
  return doc
end

--- The fetch log, newest first; all feeds when feed is nil.  `wait` is the time a feed
--- waited in the queue (per_host, concurrency), `seconds` its transfer's own time.
function M.fetch_log(st, feed, limit)
  local out = M.rows({ 'time', 'feed', 'status', 'new', 'changed', 'bytes', 'wait', 'seconds', 'error' })
  local sql = [[SELECT datetime(l.time, 'unixepoch') AS time, f.name AS feed, l.status, l.error,
    l.bytes, l.wait, l.seconds, l.new, l.changed FROM fetch_log l JOIN feeds f ON f.id = l.feed_id]]
  local rows
  if feed ~= nil then
    rows = st.db:rows(sql .. ' WHERE l.feed_id = ? ORDER BY l.id DESC LIMIT ?', must_feed(st, feed).id, limit or 20)
  else
    rows = st.db:rows(sql .. ' ORDER BY l.id DESC LIMIT ?', limit or 20)
  end
  for row in rows do out[#out + 1] = row end
  return out
end

return M
