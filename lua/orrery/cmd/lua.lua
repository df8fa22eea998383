--- orrery lua: a Lua script with orrery's modules (and what busted --lua=orrery runs).
local M = {
  name = 'lua',
  summary = "run a Lua script with orrery's modules loaded",
  args = 'SCRIPT [ARGS...]',
  nargs = { 1 },
  options = {},
  operands_end_options = true,
  description = [[Run a Lua script with orrery's modules on package.path and its C modules
preloaded.  Inside, `arg` is set as by the standalone lua.  `orrery SCRIPT.lua` does the
same, which is how `busted --lua=orrery` runs specs inside orrery.]],
}

function M.run(_, operands)
  local args = {}
  for i = 2, #operands do args[#args + 1] = operands[i] end
  return require('orrery.cli').run_script(operands[1], args)
end

return M
