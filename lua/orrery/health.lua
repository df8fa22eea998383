--- orrery.health: the planet at a glance, for its maintainers (health.html, health.json).
---
--- Every feed with what a maintainer decides on — its state, last success, last new post,
--- entries, last HTTP status, fetch time and size, and its new posts per week over the last
--- 26 weeks as a small picture — those needing attention first; the planet's new entries and
--- failing feeds per day over 90 days; and the feeds to consider removing (gone, failing for
--- 30 days, silent for 180) with the planet.lua lines that name them.  Pictures are inline
--- SVG paths (no script, nothing fetched): a 1,000-feed planet's page stays well under 1 MB.
local M = {}

M.WEEKS, M.DAYS = 26, 90
M.FAILING_DAYS, M.SILENT_DAYS = 30, 180

-- Attention first: the order of states on the page.
local rank = { failing = 1, gone = 2, silent = 3, stale = 4, recovered = 5, moved = 6, ok = 7, new = 8 }

--- The state a maintainer reads for a feed (see orrery.layout.context for the fields).
function M.state(f)
  if f.gone then return 'gone' end
  if f.failing then return 'failing' end
  if not f.last_success then return 'new' end
  if f.silent then return 'silent' end
  if f.stale then return 'stale' end
  if f.recovered then return 'recovered' end
  if f.moved then return 'moved' end
  return 'ok'
end

--- An SVG path of bars, one per value (x = 0, 1, ...), height h for the largest: each bar a
--- vertical stroke "Mx hVy" (a few bytes; zeros draw nothing).  Empty when all are zero.
function M.bars(values, h)
  local max = 0
  for _, v in ipairs(values) do if v > max then max = v end end
  if max == 0 then return '' end
  local out = {}
  for i, v in ipairs(values) do
    if v > 0 then
      local y = h - math.max(1, math.floor(v / max * h + 0.5))
      out[#out + 1] = string.format('M%d %dV%d', (i - 1) * 3 + 1, h, y)
    end
  end
  return table.concat(out)
end

-- Per feed id: new entries (by their date) in each of the last WEEKS weeks, oldest first.
local function weekly(st, now)
  local out = {}
  local from = now - M.WEEKS * 7 * 86400
  for r in st.db:rows([[SELECT feed_id, (? - date) / 604800 AS ago, count(*) AS n FROM entries
      WHERE date > ? AND date <= ? GROUP BY feed_id, ago]], now, from, now) do
    local w = out[r.feed_id]
    if not w then
      w = {}
      for i = 1, M.WEEKS do w[i] = 0 end
      out[r.feed_id] = w
    end
    local i = M.WEEKS - r.ago
    if i >= 1 and i <= M.WEEKS then w[i] = w[i] + r.n end
  end
  return out
end

-- The planet's last DAYS days, oldest first: { day = 'YYYY-MM-DD', new, failing }.
local function daily(st, now)
  local days, by = {}, {}
  local today = now - now % 86400
  for i = M.DAYS - 1, 0, -1 do
    local d = { day = os.date('!%Y-%m-%d', today - i * 86400), new = 0, failing = 0 }
    days[#days + 1] = d
    by[d.day] = d
  end
  local from = today - (M.DAYS - 1) * 86400
  for r in st.db:rows([[SELECT date(first_seen, 'unixepoch') AS day, count(*) AS n FROM entries
      WHERE first_seen >= ? GROUP BY day]], from) do
    if by[r.day] then by[r.day].new = r.n end
  end
  -- feeds failing that day: the most any run of the day saw
  for r in st.db:rows([[SELECT date(time, 'unixepoch') AS day, max(failed) AS n FROM runs
      WHERE time >= ? GROUP BY day]], from) do
    if by[r.day] then by[r.day].failing = r.n end
  end
  return days
end

-- The last fetch of each feed: { bytes, seconds }.
local function last_fetches(st)
  local out = {}
  for r in st.db:rows([[SELECT feed_id, bytes, seconds FROM fetch_log
      WHERE id IN (SELECT max(id) FROM fetch_log GROUP BY feed_id)]]) do
    out[r.feed_id] = r
  end
  return out
end

-- The lines of the planet file that name a feed's URL (as written there): what to delete.
-- Every string on a line (quoted, or a URL in a comment) is indexed once: scanning every
-- line for every feed to consider removing was O(feeds x lines), seconds at 10,000 feeds.
local function config_lines(cfg)
  local text = cfg.path and require('orrery._fs').read(cfg.path)
  local lines, at = {}, {}
  local function index(s, i)
    local l = at[s]
    if not l then at[s] = { i } elseif l[#l] ~= i then l[#l + 1] = i end
  end
  for line in (text or ''):gmatch('([^\n]*)\n?') do
    local i = #lines + 1
    lines[i] = line
    for s in line:gmatch("'([^']*)'") do index(s, i) end
    for s in line:gmatch('"([^"]*)"') do index(s, i) end
    for s in line:gmatch('%[=*%[(.-)%]=*%]') do index(s, i) end
    for s in line:gmatch("[%w+.-]+://[^%s'\"%]%)}]+") do index(s, i) end
  end
  return function(fc)
    local out = {}
    for _, i in ipairs(at[fc.url_written or fc.url or ''] or {}) do out[#out + 1] = { line = i, text = lines[i] } end
    return out
  end
end

--- Add the maintainers' view to a layout context: ctx.health gets feeds (every feed,
--- attention first, each with state, figures and its weekly picture), days (the planet's
--- last 90) with their pictures, and removal (candidates with their planet.lua lines).
function M.add(ctx, cfg, st, now)
  local h = ctx.health
  local weeks, fetches = weekly(st, now), last_fetches(st)
  local lines_of = config_lines(cfg)
  local fc_by_id = {}                 -- (by row id: the configured URL may hold a password)
  local fc_by_url = {}
  for _, fc in ipairs(cfg.feeds) do fc_by_url[fc.url] = fc end
  for _, row in ipairs(st:feeds()) do fc_by_id[row.id] = fc_by_url[row.url] end
  local list, removal = {}, {}
  for _, f in ipairs(ctx.feeds) do
    f.silent = not f.failing and f.last_success ~= nil and f.newest ~= nil and now - f.newest > M.SILENT_DAYS * 86400
    f.state = M.state(f)
    f.weeks = weeks[f.id] or {}
    for i = 1, M.WEEKS do f.weeks[i] = f.weeks[i] or 0 end
    f.spark = M.bars(f.weeks, 16)
    local lf = fetches[f.id]
    f.fetch_seconds, f.fetch_bytes = lf and lf.seconds, lf and lf.bytes
    local why
    if f.gone then why = 'gone: the server says it was removed (HTTP 410)'
    elseif f.failing and f.failing_since and now - f.failing_since > M.FAILING_DAYS * 86400 then
      why = string.format('failing for %d days', (now - f.failing_since) // 86400)
    elseif f.silent then why = string.format('no new entry for %d days', (now - f.newest) // 86400) end
    if why then
      removal[#removal + 1] = { feed = f, why = why, lines = lines_of(fc_by_id[f.id] or {}) }
    end
    list[#list + 1] = f
  end
  table.sort(list, function(a, b)
    if rank[a.state] ~= rank[b.state] then return rank[a.state] < rank[b.state] end
    if a.state == 'failing' and (a.failing_since or 0) ~= (b.failing_since or 0) then
      return (a.failing_since or 0) < (b.failing_since or 0)          -- the longest failing first
    end
    return a.name:lower() < b.name:lower()
  end)
  h.feeds, h.removal = list, removal
  h.days = daily(st, now)
  local new, failing = {}, {}
  for i, d in ipairs(h.days) do new[i], failing[i] = d.new, d.failing end
  h.days_new, h.days_failing = M.bars(new, 40), M.bars(failing, 40)
  h.weeks, h.day_count = M.WEEKS, M.DAYS
  return ctx
end

return M
