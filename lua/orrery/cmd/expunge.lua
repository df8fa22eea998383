--- orrery expunge: remove the entries retention no longer keeps.
local common = require('orrery.cmd.common')
local json = require('orrery.json')
local log = require('orrery.log')

local M = {
  name = 'expunge',
  summary = 'remove entries beyond keep_entries / keep_days, for good',
  args = '',
  nargs = { 0, 0 },
  description = [[Remove each feed's entries beyond its newest keep_entries and those dated more
than keep_days days ago (planet-wide or per feed; 0 is no limit); keep_days never empties
the front page (its entries stay however old).  A removed entry stays removed while its
feed still carries it; `orrery why` says when and by which rule it went.  `orrery run`
does this after each refresh when a limit is set.  With --dry-run, only lists what would
go.]],
}
local o = common.opt
M.options = { o.config, o.db, o.wait, o.json,
  { long = '--dry-run', key = 'dry_run', help = 'list what would be removed, remove nothing' } }

function M.run(opts)
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local lock <close> = common.lock(cfg, opts)  -- luacheck: ignore 211 (held until the end)
  local retention = require('orrery.retention')
  if not retention.active(cfg) then
    log.info('no retention set (keep_entries, keep_days): every entry is kept')
  end
  local st = require('orrery.planet').open_store(cfg)
  local res, xerr = retention.expunge(cfg, st, os.time(), opts.dry_run)
  if not res then st:close() log.error('cannot write the database: %s', tostring(xerr)) return common.WRITE end
  local names = {}
  for row in st.db:rows('SELECT id, coalesce(name, url) AS n FROM feeds') do names[row.id] = row.n end
  st:close()
  if opts.json then
    local rows = json.array()
    for _, r in ipairs(res.rows) do
      rows[#rows + 1] = { feed = names[r.feed_id], id = r.guid, link = r.link, title = r.title, date = r.date,
        rule = r.rule }
    end
    print(json.encode({ removed = res.removed, dry_run = opts.dry_run or false, entries = rows }))
    return common.OK
  end
  for _, r in ipairs(res.rows) do
    print(string.format('%s  %s  %s  (%s)', os.date('!%Y-%m-%d', r.date), names[r.feed_id], r.title or r.link or r.guid,
      r.rule))
  end
  print(string.format('%s %d entries', opts.dry_run and 'would remove' or 'removed', res.removed))
  return common.OK
end

return M
