--- orrery repl: a Lua REPL over the planet's store.
local common = require('orrery.cmd.common')
local cutil = require('orrery._util')
local log = require('orrery.log')

local M = {
  name = 'repl',
  summary = 'explore the stored entries and drive orrery from Lua',
  args = '',
  nargs = { 0, 0 },
  description = [[A Lua REPL with the planet's store and orrery's API (help() lists it; help(fn)
explains one).  On a terminal: line editing, history, tab completion.  From a pipe (orrery
repl < script.lua) it runs the input chunk by chunk and prints results; -e runs CODE and
exits.]],
}
M.options = { common.opt.config, common.opt.db,
  { short = '-e', long = '--eval', arg = 'CODE', key = 'eval', help = 'run CODE, print its results and exit' } }

function M.run(opts)
  local cfg, st
  if opts.config or require('orrery._fs').stat('planet.lua') then
    local err
    cfg, err = common.load_config(opts)
    if not cfg then log.error('%s', err) return common.CONFIG end
    st = require('orrery.planet').open_store(cfg)
  end
  local code = require('orrery.repl').run({
    cfg = cfg, store = st, eval = opts.eval, interactive = cutil.isatty(0) and not opts.eval,
  })
  if st then st:close() end
  return code
end

return M
