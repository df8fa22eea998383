--- orrery backup: a consistent copy of the planet's database, also while a run writes.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'backup',
  summary = "copy the planet's database, consistently, also while a run writes it",
  args = 'FILE',
  nargs = { 1, 1 },
  description = [[Copy the planet's database into FILE (which must not exist yet) with SQLite's online
backup: the copy is one consistent state of the database even while a run is writing it,
and the run is not held up.  Restore by putting the copy in the database's place while no
run is going (docs/deploying.md).]],
}
M.options = { common.opt.config, common.opt.db }

function M.run(opts, operands)
  local cfs = require('orrery._fs')
  local cfg, err = common.load_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local file = operands[1]
  if cfs.stat(file) then log.error('%s exists: not overwritten', file) return common.FAIL end
  if not cfs.stat(cfg.database) then log.error('%s: no database yet', cfg.database) return common.FAIL end
  local db, derr = require('orrery._db').open(cfg.database)
  if not db then log.error('%s', derr) return common.WRITE end
  local ok, berr = db:backup(file)
  db:close()
  if not ok then
    cfs.remove(file)
    log.error('backup: %s', berr)
    return common.WRITE
  end
  log.info('copied %s to %s', common.show_path(cfg.database), file)
  return common.OK
end

return M
