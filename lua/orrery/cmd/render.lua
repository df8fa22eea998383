--- orrery render: the pages from what is stored.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'render',
  summary = 'render the pages from what is stored',
  args = '',
  nargs = { 0, 0 },
  description = [[Render the layout's templates (or the planet's own templates) from the stored
entries into the output directory.  Files whose content did not change are left alone.]],
}
local o = common.opt
M.options = { o.config, o.output, o.db, o.wait, o.quiet }

function M.run(opts)
  if opts.quiet then log.set_level('quiet') end
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local lock <close> = common.lock(cfg, opts)  -- luacheck: ignore 211 (held until the end)
  local files = require('orrery.planet').render(cfg)
  log.info('rendered %d files into %s: %d written, %d unchanged', #files.written + #files.unchanged,
    common.show_path(cfg.output_dir), #files.written, #files.unchanged)
  return common.OK
end

return M
