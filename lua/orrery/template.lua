--- orrery.template: the template language of layouts.
---
---   <%= expr %>   the value, HTML-escaped          <%- expr %>   the value as it is
---   <% code %>    Lua statements (a newline right after is dropped)
---
--- A template compiles to a Lua function of one argument, the context table, whose fields
--- are visible as variables; helpers (h, iso8601, rfc822, date, ...) are passed in `env`.
local util = require('orrery.util')

local M = {}

-- The Lua of a template, line for line: line n of the code is line n of the template, so
-- that an error names the template's line (text keeps its newlines inside %q's escapes,
-- and nothing else adds one but code, which needs it).
local function compile_source(src, name)
  -- (the scope comes as the chunk's argument)
  local code = { 'local _ENV = ... local _b, _esc, _str = {}, _ESC, tostring ' }
  local pos = 1
  while true do
    local s, e, kind = src:find('<%%([=-]?)', pos)
    if not s then
      code[#code + 1] = string.format('_b[#_b+1] = %q ', src:sub(pos))
      break
    end
    if s > pos then code[#code + 1] = string.format('_b[#_b+1] = %q ', src:sub(pos, s - 1)) end
    local cs, ce = src:find('%%>', e + 1)
    if not cs then error(string.format('%s: unclosed <%% at byte %d', name, s), 0) end
    local body = src:sub(e + 1, cs - 1)
    if kind == '=' then
      code[#code + 1] = 'do local _v = (' .. body .. ') if _v ~= nil then _b[#_b+1] = _esc(_v) end end '
    elseif kind == '-' then
      code[#code + 1] = 'do local _v = (' .. body .. ') if _v ~= nil then _b[#_b+1] = _str(_v) end end '
    else
      -- a newline ends the code (it may end in a -- comment): the one after it in the
      -- template, which is dropped from the output, or else one of ours
      local eaten = src:sub(ce + 1, ce + 1) == '\n'
      if eaten then ce = ce + 1 end
      code[#code + 1] = body .. ((eaten or body:find('--', 1, true)) and '\n' or ' ')
    end
    pos = ce + 1
  end
  code[#code + 1] = 'return table.concat(_b)\n'
  return table.concat(code)
end

--- Compile a template.  Returns render(ctx) -> string, or nil, err.  The Lua is loaded
--- once (an archive of a thousand pages is one template rendered a thousand times); each
--- render gets its own scope, in which a name once looked up stays.
---@param src string
---@param name string chunk name for errors
---@param env table|nil helpers visible to the template
function M.compile(src, name, env)
  local ok, lua_src = pcall(compile_source, src, name)
  if not ok then return nil, lua_src end
  local chunk, err = load(lua_src, '@' .. name, 't')
  if not chunk then return nil, err end
  return function(ctx)
    local scope = setmetatable({ _ESC = util.escape }, {
      __index = function(t, k)
        local v = ctx[k]
        if v == nil and env then v = env[k] end
        if v == nil then v = _G[k] end
        if v ~= nil then rawset(t, k, v) end
        return v
      end,
    })
    return chunk(scope)
  end
end

return M
