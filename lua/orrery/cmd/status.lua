--- orrery status: each feed's health, for people and for scripts.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'status',
  summary = "show each feed's health",
  args = '[FEED]',
  nargs = { 0, 1 },
  description = [[One line per feed with its STATE (ok, FAIL, gone, new), FEED (its name),
ENTRIES stored (what retention removed is counted at the end), NEWEST (the date of its
newest entry), SUCCESS (how long since the last successful fetch), HTTP (the last
status), NEXT (when it is fetched next), NOTES (entries whose unsafe or unusable URLs were
dropped) and LAST ERROR; a moved feed gets a line with its new address.  With FEED (a
name or URL), that feed in full, with its notes.  Exit 3 while any feed is failing or
gone, so that a cron job or a monitor can tell.]],
}
local o = common.opt
M.options = { o.config, o.db, o.json }

local function span(d)
  if d < 120 then return d .. 's' end
  if d < 7200 then return d // 60 .. 'm' end
  if d < 172800 then return d // 3600 .. 'h' end
  return d // 86400 .. 'd'
end

-- s cut or padded to n characters (UTF-8 aware, so that columns line up)
local function fit(s, n)
  local len = utf8.len(s)
  if not len then return (s .. string.rep(' ', n)):sub(1, n) end
  if len > n then s = s:sub(1, (utf8.offset(s, n + 1) or #s + 1) - 1) len = n end
  return s .. string.rep(' ', n - len)
end

--- A feed row's state: 'gone', 'FAIL', 'ok' or 'new'.
function M.state(r)
  if r.gone == 1 then return 'gone' end
  if r.last_error and (r.errors or 0) > 0 then return 'FAIL' end
  return r.last_success and 'ok' or 'new'
end

local function details(st, r, c, now)
  local function t(x) return x and os.date('!%Y-%m-%d %H:%M UTC', x) or '-' end
  print(string.format('%s  %s', M.state(r), r.name or r.title or r.url))
  for _, kv in ipairs({ { 'url', r.url }, { 'fetched from', r.fetch_url }, { 'title', r.title }, { 'site', r.link },
      { 'format', r.format }, { 'entries', c and c.n or 0 },
      { 'removed', c and (c.expunged or 0) > 0 and (c.expunged .. ' by retention (keep_entries, keep_days)') or nil },
      { 'newest entry', t(c and c.newest) },
      { 'last attempt', t(r.last_attempt) }, { 'last success', t(r.last_success) }, { 'HTTP', r.last_status },
      { 'failing since', r.errors > 0 and t(r.failing_since) or nil },
      { 'next attempt', r.next_attempt and r.next_attempt > now and t(r.next_attempt) or nil },
      { 'last error', r.last_error } }) do
    if kv[2] ~= nil then print(string.format('  %-14s %s', kv[1], tostring(kv[2]))) end
  end
  if r.notes then
    print('  notes on the feed:')
    for line in r.notes:gmatch('[^\n]+') do print('    ' .. line) end
  end
  local states = st:article_states(r.id, 20)
  local any = false
  for _, a in ipairs(states) do any = any or a.fetched ~= nil end
  if any then
    print('  full articles (its newest entries):')
    for _, a in ipairs(states) do
      print(string.format('    %s  %s  %s', os.date('!%Y-%m-%d', a.date), fit(a.title or a.link or '?', 40),
        require('orrery.article').state_text(a)))
    end
  end
  local noted = st:noted_entries(r.id)
  if #noted > 0 then
    print(string.format('  notes on %d entries (what the model dropped from them):', #noted))
    for _, e in ipairs(noted) do
      print(string.format('    %s  %s', os.date('!%Y-%m-%d', e.date), e.title or e.link or e.guid))
      for line in e.notes:gmatch('[^\n]+') do print('      ' .. line) end
    end
  end
end

function M.run(opts, operands)
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local st = require('orrery.planet').open_store(cfg)
  local counts = st:counts()
  local rows = st:feeds()
  local now = os.time()
  local failing = 0
  for _, r in ipairs(rows) do if M.state(r) == 'FAIL' or M.state(r) == 'gone' then failing = failing + 1 end end
  local status = failing > 0 and common.FEEDS or common.OK
  if operands[1] then
    local which = operands[1]
    for _, r in ipairs(rows) do
      if r.name == which or r.url == which or r.title == which then
        details(st, r, counts[r.id], now)
        st:close()
        return (M.state(r) == 'FAIL' or M.state(r) == 'gone') and common.FEEDS or common.OK
      end
    end
    st:close()
    log.error("no feed named '%s' in %s", which, cfg.database)
    return common.FAIL
  end
  st:close()
  if opts.json then
    local json = require('orrery.json')
    local out = json.array()
    for _, r in ipairs(rows) do
      r.state = M.state(r)
      r.entries = counts[r.id] and counts[r.id].n or 0
      r.newest = counts[r.id] and counts[r.id].newest
      r.noted_entries = counts[r.id] and counts[r.id].noted or 0
      r.expunged = counts[r.id] and counts[r.id].expunged or 0
      r.url = require('orrery.publish').url(r.url) or r.url
      r.fetch_url = r.fetch_url and (require('orrery.publish').url(r.fetch_url) or r.fetch_url)
      r.doc_key, r.etag, r.last_modified = nil, nil, nil
      out[#out + 1] = r
    end
    io.write(json.encode(out, ' '), '\n')
    return status
  end
  local function day(t) return t and os.date('!%Y-%m-%d', t) or '-' end
  local function ago(t) return t and (span(now - t) .. ' ago') or 'never' end
  local function next_try(r)
    if r.gone == 1 then return 'never' end
    if r.next_attempt and r.next_attempt > now then return 'in ' .. span(r.next_attempt - now) end
    return 'next run'
  end
  print(string.format('%-6s %-26s %7s %-10s %-9s %4s %-10s %5s %s', 'STATE', 'FEED', 'ENTRIES', 'NEWEST',
    'SUCCESS', 'HTTP', 'NEXT', 'NOTES', 'LAST ERROR'))
  for _, r in ipairs(rows) do
    local c = counts[r.id]
    local notes = (c and c.noted or 0) + (r.notes and 1 or 0)
    print(string.format('%-6s %s %7d %-10s %-9s %4s %-10s %5s %s', M.state(r), fit((r.name ~= r.url and r.name)
      or r.title or r.url, 26), c and c.n or 0, day(c and c.newest), ago(r.last_success),
      r.last_status and tostring(r.last_status) or '-', next_try(r), notes > 0 and tostring(notes) or '-',
      r.last_error or ''))
    if r.fetch_url and r.fetch_url ~= r.url then print('       moved to ' .. r.fetch_url) end
  end
  local removed = 0
  for _, c in pairs(counts) do removed = removed + (c.expunged or 0) end
  if removed > 0 then
    print(string.format('retention has removed %d entries (keep_entries, keep_days); orrery why LINK says which',
      removed))
  end
  return status
end

return M
