--- orrery opml: subscription lists in (as a planet.lua) and out.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'opml',
  summary = "import an OPML subscription list as a planet.lua, or export the planet's",
  args = 'import FILE | export',
  nargs = { 1, 2 },
  description = [[import: the feeds of an OPML subscription list (every outline with an http(s)
xmlUrl, folders flattened; any other URL is left out and named on stderr) as a planet.lua,
on stdout or into the -o file (which must not exist).  export: the planet's feeds as OPML
2.0 on stdout, at the address they moved to; sites scraped by a recipe are listed as links
(they have no feed), local files and passwords in URLs are left out.]],
}
local o = common.opt
M.options = { o.config, { short = '-o', long = '--output', arg = 'FILE', key = 'output',
  help = 'import: write the planet.lua here (it must not exist) instead of stdout' } }

--- Write a generated planet.lua (checked to be a planet orrery accepts) to output or stdout.
function M.emit_planet(text, output)
  local cfs = require('orrery._fs')
  local chunk = assert(load(text, '=planet.lua', 't', {}))
  local vok, verr = pcall(require('orrery.config').validate, chunk(), '.')
  if not vok then return nil, 'the converted planet is not valid: ' .. tostring(verr) end
  if not output then io.write(text) return true end
  if cfs.stat(output) then return nil, output .. ' exists: not overwritten' end
  return cfs.write(output, text)
end

local function import(opts, file)
  local text, err = require('orrery._fs').read(file)
  if not text then log.error('%s', err) return common.FAIL end
  local planet_text, n, skipped = require('orrery.opml').to_planet(text, file)
  for _, k in ipairs(skipped) do log.warn('%s: outline %q left out: %s', file, k.url, k.why) end
  if n == 0 then
    log.error('%s: no outline with an http(s) xmlUrl: not an OPML subscription list?', file)
    return common.FAIL
  end
  local ok, werr = M.emit_planet(planet_text, opts.output)
  if not ok then log.error('%s', werr) return common.FAIL end
  log.info('imported %d feeds from %s', n, file)
  return common.OK
end

local function export(opts)
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  -- what the store knows: where feeds moved to, which sites are scraped (no feed)
  if require('orrery._fs').stat(cfg.database) then
    local st = require('orrery.planet').open_store(cfg)
    local rows = {}
    for _, row in ipairs(st:feeds()) do rows[row.url] = row end
    st:close()
    for _, fc in ipairs(cfg.feeds) do
      local row = rows[fc.url]
      if row and row.fetch_url and row.fetch_url ~= row.url then fc.moved_to = row.fetch_url end
      fc.scraped = row and row.format == 'scraped'
    end
  end
  io.write(require('orrery.opml').write(cfg))
  return common.OK
end

function M.run(opts, operands)
  if operands[1] == 'import' and operands[2] then return import(opts, operands[2]) end
  if operands[1] == 'export' and not operands[2] then return export(opts) end
  log.error('usage: orrery opml import FILE | orrery opml export (see orrery opml --help)')
  return common.USAGE
end

return M
