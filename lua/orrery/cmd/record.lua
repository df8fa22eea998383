--- orrery record: save a live fetch of one feed as fixtures for its recipe's tests.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'record',
  summary = "save one feed's document and article pages, to test its recipe offline",
  args = 'FEED DIR',
  nargs = { 2, 2 },
  description = [[Fetch one feed of the planet (its name or URL; or any URL, with --recipe) as a refresh
would — its own HTTP settings, its recipe — and save into DIR what was read: the document
(a feed, or the page a scrape recipe reads) and the article pages its entries link to when
it has full_article, with DIR/manifest.lua naming the URL of each file.  A recipe of the
planet's recipes_dir that has no test yet gets one beside it, NAME_test.lua, written from
what the recipe gives now; `orrery test` runs it against DIR without the network.]],
}
local o = common.opt
M.options = { o.config, o.recipe,
  { long = '--full-article', key = 'full_article', help = "record the entries' article pages too (a URL's feed)" } }

-- path relative to dir when it is inside it, else path
local function relative(path, dir)
  local fs = require('orrery._fs')
  path, dir = fs.realpath(path) or path, fs.realpath(dir) or dir
  if path:sub(1, #dir + 1) == dir .. '/' then return path:sub(#dir + 2) end
  return path
end

function M.run(opts, operands)
  local cfg, err = common.optional_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local which, dir = operands[1], operands[2]
  local fc
  for _, f in ipairs(cfg.feeds) do
    if f.name == which or f.url == which or f.url_written == which then fc = require('orrery.util').copy(f) end
  end
  if not fc then
    if not which:match('^https?://') then
      log.error('%s is not a feed of the planet (its name or URL) nor an http(s) URL', which)
      return common.USAGE
    end
    fc = { url = which, name = which, options = {} }
  end
  if opts.recipe then fc.recipe = opts.recipe end
  if opts.full_article then fc.full_article = true end
  local replay = require('orrery.replay')
  local res, rerr = replay.record(cfg, fc, dir)
  if not res then log.error('%s', rerr) return common.FAIL end
  log.info('recorded %s into %s: its document and %d article pages (manifest.lua names them)', fc.name,
    common.show_path(dir), res.articles)
  for _, f in ipairs(res.failed) do log.warn('  not recorded: %s: %s', f.url, f.err) end
  if fc.recipe then
    local r = require('orrery.recipe').load(fc.recipe, require('orrery.recipe').dirs(cfg))
    local fs = require('orrery._fs')
    local test = r and r.path:gsub('%.lua$', '_test.lua')
    -- (only beside the planet's own recipes: orrery's are not the planet's to write)
    local mine = r and relative(r.path, cfg.recipes_dir) ~= (fs.realpath(r.path) or r.path)
    if test and mine and not fs.stat(test) then
      local text = replay.starter(fc.recipe, relative(dir, require('orrery.util').dirname(r.path)), fc, res.feed)
      local ok, werr = fs.write(test, text)
      if not ok then log.error('cannot write %s', werr) return common.WRITE end
      log.info('wrote %s: edit it to say what must stay true, run it with orrery test', common.show_path(test))
    end
  end
  return common.OK
end

return M
