--- orrery refresh: fetch, parse, apply recipes, store (orrery run is this, then render).
---
--- What it prints is for cron as much as for people: with -q exactly one line per failing
--- feed (including those backing off after failures and those gone) and nothing else; on a
--- terminal a progress line, then the summary; on a pipe the same summary as plain lines.
--- The exit status says whether every feed is fine (0) or some are failing (3).
local common = require('orrery.cmd.common')
local cutil = require('orrery._util')
local log = require('orrery.log')

local M = {
  name = 'refresh',
  summary = 'fetch, parse, apply recipes and store every feed; render nothing',
  args = '',
  nargs = { 0, 0 },
  description = [[Fetch every feed of the planet (conditional GET, politely: feeds that failed are
backed off, a 410 is not fetched again), parse it, run its recipe and store its entries.
A failing feed never stops the others.  Exit 3 when some feeds are failing (backing off
and gone ones included); -q then prints exactly those, one line each.]],
}
local o = common.opt
M.options = { o.config, o.db, o.urls, o.jobs, o.mirror, o.timeout, o.force, o.wait, o.quiet, o.json }

local function when(t) return t and os.date('!%Y-%m-%d %H:%M UTC', t) or '?' end

--- The failing feeds after a refresh: those that failed now, and those skipped while
--- failing (backing off, gone).  Each { name, url, cause, since, next_attempt, gone }.
function M.failing(summary)
  local out = {}
  for _, s in ipairs(summary.feeds) do
    if s.err then
      out[#out + 1] = { name = s.name, url = s.url, cause = s.err, since = s.since, next_attempt = s.next_attempt,
        gone = s.gone }
    end
  end
  for _, k in ipairs(summary.skipped) do
    if k.failing then
      out[#out + 1] = { name = k.name, url = k.url, cause = k.last_error or k.reason, since = k.since,
        next_attempt = k.next_attempt, gone = k.gone }
    end
  end
  return out
end

--- One line for a failing feed: name <url>: cause (failing since ...; next attempt ...).
function M.failure_line(f)
  local url = require('orrery.publish').url(f.url) or f.url
  local tail = 'failing since ' .. when(f.since)
  if f.gone then tail = tail .. '; not fetched again: remove it from the planet'
  elseif f.next_attempt then tail = tail .. '; next attempt ' .. when(f.next_attempt) end
  return string.format('%s <%s>: %s (%s)', f.name or '?', url, f.cause or '?', tail)
end

-- The live progress line, on a terminal only, redrawn at most ten times a second.
local function progress_fn(opts)
  if opts.quiet or opts.json or not cutil.isatty(2) then return nil end
  local started, drawn = cutil.clock(), 0
  return function(done, total, _, summary)
    local now = cutil.clock()
    if done < total and now - drawn < 0.1 then return end
    drawn = now
    io.stderr:write(string.format('\r\27[K%d/%d feeds, %d failed, %s, %.0f s', done, total,
      summary.failed, common.human_bytes(summary.bytes), now - started))
    if done == total then io.stderr:write('\n') end
  end
end

local function json_summary(summary)
  local json = require('orrery.json')
  local feeds = json.array()
  for _, s in ipairs(summary.feeds) do
    feeds[#feeds + 1] = { name = s.name, url = s.url, status = s.status, error = s.err,
      new = s.new, changed = s.changed, moved_to = s.moved_to, discovered = s.discovered, not_modified = s.not_modified,
      unchanged = s.unchanged, next_attempt = s.next_attempt, seconds = s.seconds, wait = s.wait }
  end
  local skipped = json.array()
  for _, k in ipairs(summary.skipped) do
    skipped[#skipped + 1] = { name = k.name, url = k.url, reason = k.reason, failing = k.failing }
  end
  io.write(json.encode({ feeds = feeds, skipped = skipped, failed = summary.failed, new = summary.new,
    changed = summary.changed, total = summary.total, seconds = summary.seconds, bytes = summary.bytes,
    cpu = summary.cpu, peak_rss = summary.peak_rss, failing = #M.failing(summary), articles = summary.articles and {
      fetched = summary.articles.fetched, stored = summary.articles.stored, failed = summary.articles.failed,
    } }), '\n')   -- one line: cron logs, JSON Lines
end

-- What a refresh says: with -q the failing feeds alone; else the summary, plain lines.
local function report(summary, opts)
  local failing = M.failing(summary)
  if opts.json then json_summary(summary) end
  if opts.quiet then
    for _, f in ipairs(failing) do io.stderr:write(M.failure_line(f), '\n') end
    return
  end
  if opts.json then return end
  for _, s in ipairs(summary.feeds) do
    if s.moved_to then log.info('moved: %s -> %s (permanent redirect; now fetched there)', s.url, s.moved_to) end
    if s.discovered then
      log.info('%s: %s is a web page; read the feed it names, %s (now fetched there; put it in the config)',
        s.name, s.url, s.discovered)
    end
    if s.reprocessed and s.reprocessed > 0 then
      log.info('%s: its recipe or orrery changed: entries derived again from %d kept documents', s.name, s.reprocessed)
    end
  end
  if #failing > 0 then
    log.warn('%d of %d feeds failing:', #failing, summary.total + #summary.skipped)
    for _, f in ipairs(failing) do log.warn('  %s', M.failure_line(f)) end
  end
  local quiet, held = 0, {}
  for _, k in ipairs(summary.skipped) do
    if k.held or (k.reason or ''):match('^held until') then held[#held + 1] = k
    elseif not k.failing then quiet = quiet + 1 end
  end
  if quiet > 0 then log.info('not fetched this time (fetched recently; --force fetches them): %d feeds', quiet) end
  for _, k in ipairs(held) do log.info('not fetched: %s: %s', k.name, k.reason) end
  if summary.expunged and summary.expunged > 0 then
    log.info('retention removed %d entries (orrery why LINK says which and why)', summary.expunged)
  end
  if summary.expunge_error then log.warn('retention: %s', summary.expunge_error) end
  local a = summary.articles
  if a and a.fetched > 0 then
    log.info('full articles: %d fetched, %d stored, %d without an article (tried again next run)',
      a.fetched, a.stored, a.failed)
    for _, e in ipairs(a.errors) do log.info('  %s <%s>: %s', e.feed or '?', e.url or '?', e.err) end
  end
  log.info('refreshed %d feeds in %.1f s (%s): %d new entries, %d changed, %d failed',
    summary.total, summary.seconds, common.human_bytes(summary.bytes), summary.new, summary.changed, summary.failed)
end

--- Refresh (and with render, render) the planet the options name.  Returns the exit status.
function M.refresh(opts, render)
  if opts.quiet or opts.json then log.set_level('quiet') end
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local lock <close> = common.lock(cfg, opts)  -- luacheck: ignore 211 (held until the end)
  local planet = require('orrery.planet')
  local summary = planet.refresh(cfg, { progress = progress_fn(opts), force = opts.force })
  report(summary, opts)
  if render then
    local files = planet.render(cfg)
    if not opts.quiet and not opts.json then
      log.info('rendered %d files into %s: %d written, %d unchanged', #files.written + #files.unchanged,
        common.show_path(cfg.output_dir), #files.written, #files.unchanged)
    end
    -- a WebSub hub hears of new entries at once; a hub that fails is reported, nothing more
    if cfg.hub and summary.new + summary.changed > 0 then
      local perr = planet.ping(cfg, files)
      if perr then log.warn('%s', perr)
      elseif not opts.quiet and not opts.json then log.info('told the hub %s', cfg.hub) end
    end
  end
  return #M.failing(summary) > 0 and common.FEEDS or common.OK
end

function M.run(opts)
  return M.refresh(opts, false)
end

return M
