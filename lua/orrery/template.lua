--- orrery.template: the template language of layouts.
---
---   <%= expr %>   the value, HTML-escaped          <%- expr %>   the value as it is
---   <% code %>    Lua statements (a newline right after is dropped)
---
--- A template compiles to a Lua function of one argument, the context table, whose fields
--- are visible as variables; helpers (h, iso8601, rfc822, date, ...) are passed in `env`.
local util = require('orrery.util')

local M = {}

local function compile_source(src, name)
  local code = { 'local _b, _esc, _str = {}, _ESC, tostring\n' }
  local pos = 1
  while true do
    local s, e, kind = src:find('<%%([=-]?)', pos)
    if not s then
      code[#code + 1] = string.format('_b[#_b+1] = %q\n', src:sub(pos))
      break
    end
    if s > pos then code[#code + 1] = string.format('_b[#_b+1] = %q\n', src:sub(pos, s - 1)) end
    local cs, ce = src:find('%%>', e + 1)
    if not cs then error(string.format('%s: unclosed <%% at byte %d', name, s), 0) end
    local body = src:sub(e + 1, cs - 1)
    if kind == '=' then
      code[#code + 1] = 'do local _v = (' .. body .. ') if _v ~= nil then _b[#_b+1] = _esc(_v) end end\n'
    elseif kind == '-' then
      code[#code + 1] = 'do local _v = (' .. body .. ') if _v ~= nil then _b[#_b+1] = _str(_v) end end\n'
    else
      code[#code + 1] = body .. '\n'
      if src:sub(ce + 1, ce + 1) == '\n' then ce = ce + 1 end
    end
    pos = ce + 1
  end
  code[#code + 1] = 'return table.concat(_b)\n'
  return table.concat(code)
end

--- Compile a template.  Returns render(ctx) -> string, or nil, err.
---@param src string
---@param name string chunk name for errors
---@param env table|nil helpers visible to the template
function M.compile(src, name, env)
  local ok, lua_src = pcall(compile_source, src, name)
  if not ok then return nil, lua_src end
  return function(ctx)
    local scope = setmetatable({ _ESC = util.escape }, {
      __index = function(_, k)
        local v = ctx[k]
        if v ~= nil then return v end
        if env and env[k] ~= nil then return env[k] end
        return _G[k]
      end,
    })
    local chunk, err = load(lua_src, '@' .. name, 't', scope)
    if not chunk then error(err, 0) end
    return chunk()
  end
end

return M
