--- orrery reprocess: derive stored entries again from the kept documents, without the network.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'reprocess',
  summary = 'derive entries again from the kept documents (after a recipe edit), offline',
  args = '[FEED...]',
  nargs = { 0 },
  description = [[Run each feed's recipe and orrery's parser again on the documents kept from its last
fetches (keep_documents, documents_per_feed), without fetching anything, and store what
changes: a recipe edit reaches entries the site will never send again.  Every feed, or the
ones named (name or URL).  Prints what changed.  A run does this by itself for a feed whose
recipe, options or orrery changed since its entries were derived.]],
}
local o = common.opt
M.options = { o.config, o.db, o.wait, o.quiet }

local function short(v)
  v = tostring(v or ''):gsub('%s+', ' ')
  return #v > 60 and (v:sub(1, 57) .. '...') or v
end

function M.run(opts, operands)
  if opts.quiet then log.set_level('quiet') end
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local lock <close> = common.lock(cfg, opts)  -- luacheck: ignore 211 (held until the end)
  local planet = require('orrery.planet')
  local st = planet.open_store(cfg)
  local wanted, found = {}, {}
  for _, w in ipairs(operands) do wanted[w] = true end
  local status, now = common.OK, os.time()
  for _, fc in ipairs(cfg.feeds) do
    if fc.enabled and (#operands == 0 or wanted[fc.name] or wanted[fc.url] or wanted[fc.url_written]) then
      found[fc.name] = true
      found[fc.url_written or fc.url] = true
      local row = st:feed(fc.url, fc.name)
      local r = planet.reprocess(cfg, st, fc, row, now)
      if r.documents > 0 or #r.errors > 0 then
        log.info('%s: %d documents, %d new entries, %d changed', fc.name, r.documents, r.new, #r.changes)
      end
      for _, c in ipairs(r.changes) do
        log.info('  ~ %s', short(c.title or c.guid))
        for _, f in ipairs(c.fields) do log.info('      %s: %s  ->  %s', f.name, short(f.before), short(f.after)) end
      end
      for _, e in ipairs(r.errors) do log.warn('%s: %s', fc.name, e) status = common.FEEDS end
    end
  end
  st:close()
  for _, w in ipairs(operands) do
    if not found[w] then log.error("no feed named '%s' in the planet", w) status = common.FAIL end
  end
  return status
end

return M
