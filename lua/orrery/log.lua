--- orrery.log: messages to stderr.  Levels: error, warn, info, debug.
local M = {}

local levels = { error = 1, warn = 2, info = 3, debug = 4 }
M.level = levels.info

--- Set the level by name ("quiet" = errors only).
function M.set_level(name)
  M.level = name == 'quiet' and levels.error or assert(levels[name], 'unknown log level ' .. name)
end

local function emit(level, fmt, ...)
  if levels[level] > M.level then return end
  local msg = select('#', ...) > 0 and string.format(fmt, ...) or fmt
  io.stderr:write(level == 'info' and '' or (level .. ': '), msg, '\n')
end

function M.error(fmt, ...) emit('error', fmt, ...) end
function M.warn(fmt, ...) emit('warn', fmt, ...) end
function M.info(fmt, ...) emit('info', fmt, ...) end
function M.debug(fmt, ...) emit('debug', fmt, ...) end

return M
