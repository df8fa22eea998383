--- orrery import-venus: a Planet Venus / Planet 2.0 config.ini as a planet.lua.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'import-venus',
  summary = 'convert a Planet Venus / Planet 2.0 config.ini into a planet.lua',
  args = 'CONFIG.ini',
  nargs = { 1, 1 },
  description = [[Convert a Planet Venus or Planet 2.0 config.ini into a planet.lua (on stdout, or
into the -o file, which must not exist yet).  Every feed section arrives; the settings that
have no equivalent in orrery are listed on stderr.]],
}
M.options = { { short = '-o', long = '--output', arg = 'FILE', key = 'output',
  help = 'write the planet.lua here (it must not exist) instead of stdout' } }

function M.run(opts, operands)
  local file = operands[1]
  local text, err = require('orrery._fs').read(file)
  if not text then log.error('%s', err) return common.FAIL end
  local ok, lua_text, notes, nfeeds = pcall(require('orrery.venus').convert, text, file)
  if not ok then log.error('%s: %s', file, lua_text) return common.FAIL end
  local wok, werr = require('orrery.cmd.opml').emit_planet(lua_text, opts.output)   -- checked
  if not wok then log.error('%s: %s', file, werr) return common.FAIL end
  log.info('converted %s: %d feeds%s', file, nfeeds,
    #notes > 0 and ('; ' .. #notes .. ' settings had no equivalent:') or '')
  for _, line in ipairs(notes) do log.info('  %s', line) end
  return common.OK
end

return M
