--- orrery.retention: how long a feed's entries are kept, and removing the rest for good.
---
--- keep_entries (the newest N of each feed) and keep_days (entries dated in the last D
--- days), planet-wide or per feed (0: no limit).  keep_days never empties the front page:
--- an entry on it stays however old (a quiet planet still shows its last posts).  A render
--- reads one snapshot of the database, so removal never takes an entry from under a
--- page being written (and runs hold the planet's lock).  A removed entry leaves a small record (id, link,
--- title) so that its feed, still carrying it, cannot bring it back as new, and so that
--- `orrery why` can say where it went; the record goes once the feed has not carried the
--- entry for TOMBSTONE_DAYS.
local M = {}

M.TOMBSTONE_DAYS = 180

--- A feed's rules: keep_entries, keep_days (0: no limit).
function M.rules(cfg, fc)
  return fc.keep_entries or cfg.keep_entries, fc.keep_days or cfg.keep_days
end

--- True when any feed of cfg has a limit.
function M.active(cfg)
  if cfg.keep_entries > 0 or cfg.keep_days > 0 then return true end
  for _, fc in ipairs(cfg.feeds) do
    if (fc.keep_entries or 0) > 0 or (fc.keep_days or 0) > 0 then return true end
  end
  return false
end

--- The entries the rules remove now: rows { id, feed_id, guid, link, title, date, rule }.
function M.plan(cfg, st, now)
  local out = {}
  if not M.active(cfg) then return out end
  local front = {}
  for _, row in ipairs(require('orrery.shown').view(cfg, st):page()) do front[row.id] = true end
  for _, fc in ipairs(cfg.feeds) do
    local n, days = M.rules(cfg, fc)
    local frow = (n > 0 or days > 0) and st.db:one('SELECT id FROM feeds WHERE url = ?', fc.url)
    if frow then
      local where = fc.keep_entries and 'this feed\'s' or 'the planet\'s'
      local dwhere = fc.keep_days and 'this feed\'s' or 'the planet\'s'
      local i = 0
      for row in st.db:rows([[SELECT id, feed_id, guid, link, title, date FROM entries WHERE feed_id = ?
          ORDER BY date DESC, id DESC]], frow.id) do
        i = i + 1
        local rule
        if n > 0 and i > n then
          rule = string.format('keep_entries = %d (%s): older than its feed\'s newest %d', n, where, n)
        elseif days > 0 and row.date < now - days * 86400 then
          rule = string.format('keep_days = %d (%s): dated more than %d days before it was removed', days, dwhere, days)
        end
        if rule and not (front[row.id] and rule:match('^keep_days')) then
          row.rule = rule
          out[#out + 1] = row
        end
      end
    end
  end
  return out
end

--- Remove what the rules say (dry: only say).  Returns { removed = n, by_feed = { [feed_id] = n },
--- rows = plan }.
function M.expunge(cfg, st, now, dry)
  local rows = M.plan(cfg, st, now)
  local by_feed = {}
  for _, r in ipairs(rows) do by_feed[r.feed_id] = (by_feed[r.feed_id] or 0) + 1 end
  if not dry then
    local ok, err = st:transaction(function()
      st:expunge(rows, function(r) return r.rule end, now)
      assert(st.db:run('DELETE FROM expunged WHERE last_seen < ?', now - M.TOMBSTONE_DAYS * 86400))
      return true
    end)
    if not ok then return nil, err end
  end
  return { removed = #rows, by_feed = by_feed, rows = rows }
end

return M
