--- orrery.htmltmpl: the htmltmpl template language, as Planet 2.0 and Planet Venus use it,
--- so a planet can keep its existing .tmpl files.
---
---   <TMPL_VAR name [ESCAPE="HTML"|"URL"|"NONE"] [GLOBAL="1"]>
---   <TMPL_IF name> ... [<TMPL_ELSE>] ... </TMPL_IF>
---   <TMPL_UNLESS name> ... [<TMPL_ELSE>] ... </TMPL_UNLESS>
---   <TMPL_LOOP name> ... </TMPL_LOOP>      (a list of tables; each is the inner scope)
---   <TMPL_INCLUDE "file">                   (relative to the including template)
---   ### a comment line: removed with its line end
--- Each statement may also be written inside an HTML comment: <!-- TMPL_VAR name -->.
--- Names are case-sensitive, as in htmltmpl.  As with htmltmpl's defaults (Planet's
--- processor): no escaping unless asked, a name inside a loop is looked up in the loop's
--- item only (GLOBAL="1" reaches the enclosing scopes), a missing name is empty, a value is
--- true unless it is nil, false, '', 0 or an empty list.  Inside loops the magic names
--- __FIRST__, __LAST__, __INNER__, __ODD__, __PASS__ and __PASSTOTAL__ are set.
local M = {}

local function escape_html(s)
  return (s:gsub('[&<>"]', { ['&'] = '&amp;', ['<'] = '&lt;', ['>'] = '&gt;', ['"'] = '&quot;' }))
end

local function escape_url(s)
  return (s:gsub('[^%w%-%._~]', function(c) return string.format('%%%02X', c:byte()) end))
end

-- One statement: its kind, closing or not, name and parameters.  Returns nil if `tag` is
-- not a TMPL statement.
local function statement(tag)
  local close, kind, rest = tag:match('^<!%-%-%s*(/?)TMPL_(%u+)(.-)%s*%-%->$')
  if not kind then close, kind, rest = tag:match('^<(/?)TMPL_(%u+)(.-)%s*/?>$') end
  if not kind then return nil end
  local params = {}
  for k, v in rest:gmatch('(%w+)%s*=%s*"([^"]*)"') do params[k:upper()] = v end
  for k, v in rest:gmatch('(%w+)%s*=%s*([^%s"]+)') do params[k:upper()] = params[k:upper()] or v end
  local stripped = rest:gsub('%w+%s*=%s*"[^"]*"', ''):gsub('%w+%s*=%s*[^%s"]+', '')
  local name = stripped:match('^%s*"([^"]+)"') or stripped:match('^%s*(%S+)')
  if name == nil and params.NAME then name = params.NAME end
  return { close = close == '/', kind = kind, name = name, params = params }
end

--- Compile template source to a render function(vars) -> string.  Raises "name:line: what"
--- for a template it cannot read (M.load returns it as nil, err).
---@param src string
---@param name string for errors, and the base of TMPL_INCLUDE paths
---@param load_file fun(path: string): string|nil, string|nil reads an included file
function M.compile(src, name, load_file)
  -- ### comment lines go first, line ends and all
  local kept = {}
  for l in src:gmatch('[^\n]*\n?') do
    if not l:match('^[ \t]*###') then kept[#kept + 1] = l end
  end
  src = table.concat(kept)
  local root = { kind = 'ROOT', body = {} }
  local stack = { root }
  local pos, line = 1, 1
  local function fail(msg) error(string.format('%s:%d: %s', name, line, msg), 0) end
  local function push_text(t)
    if t ~= '' then local b = stack[#stack].body b[#b + 1] = t end
  end
  while true do
    local s, e = src:find('<!?%-?%-?%s*/?TMPL_%u+[^>]*>', pos)
    if not s then push_text(src:sub(pos)) break end
    push_text(src:sub(pos, s - 1))
    for _ in src:sub(pos, s - 1):gmatch('\n') do line = line + 1 end
    local tag = src:sub(s, e)
    local st = statement(tag)
    if not st then fail('cannot read ' .. tag) end
    local top = stack[#stack]
    if st.close then
      if top.kind ~= st.kind then
        fail(string.format('</TMPL_%s> closes <TMPL_%s>', st.kind, top.kind))
      end
      stack[#stack] = nil
    elseif st.kind == 'VAR' then
      if not st.name then fail('TMPL_VAR without a name') end
      top.body[#top.body + 1] = { kind = 'VAR', name = st.name, escape = (st.params.ESCAPE or 'NONE'):upper(),
        global = st.params.GLOBAL == '1' }
    elseif st.kind == 'IF' or st.kind == 'UNLESS' or st.kind == 'LOOP' then
      if not st.name then fail('TMPL_' .. st.kind .. ' without a name') end
      local node = { kind = st.kind, name = st.name, body = {}, global = st.params.GLOBAL == '1', line = line }
      top.body[#top.body + 1] = node
      stack[#stack + 1] = node
    elseif st.kind == 'ELSE' then
      if (top.kind ~= 'IF' and top.kind ~= 'UNLESS') or top.else_body then
        fail('TMPL_ELSE outside TMPL_IF or TMPL_UNLESS')
      end
      top.then_body = top.body
      top.else_body = {}
      top.body = top.else_body
    elseif st.kind == 'INCLUDE' then
      if not st.name then fail('TMPL_INCLUDE without a file') end
      local dir = name:match('^(.*)/[^/]*$') or '.'
      local path = st.name:sub(1, 1) == '/' and st.name or dir .. '/' .. st.name
      local text, err = (load_file or function() return nil, 'no loader' end)(path)
      if not text then fail('TMPL_INCLUDE ' .. st.name .. ': ' .. tostring(err)) end
      local inner, ierr = M.compile(text, path, load_file)
      if not inner then error(ierr, 0) end
      top.body[#top.body + 1] = { kind = 'INCLUDE', render = inner }
    else
      fail('unknown statement TMPL_' .. st.kind)
    end
    for _ in tag:gmatch('\n') do line = line + 1 end
    pos = e + 1
  end
  if #stack > 1 then
    local open = stack[#stack]
    line = open.line
    fail('<TMPL_' .. open.kind .. ' ' .. open.name .. '> is not closed')
  end
  local function truthy(v)
    if v == nil or v == false or v == '' or v == 0 then return false end
    if type(v) == 'table' and next(v) == nil then return false end
    return true
  end
  local function lookup(scopes, n, global)
    local v = scopes[#scopes][n]
    if v == nil and global then
      for i = #scopes - 1, 1, -1 do
        v = scopes[i][n]
        if v ~= nil then break end
      end
    end
    return v
  end
  local function run(body, scopes, out)
    for _, node in ipairs(body) do
      if type(node) == 'string' then
        out[#out + 1] = node
      elseif node.kind == 'VAR' then
        local v = lookup(scopes, node.name, node.global)
        if v ~= nil and v ~= false then
          v = tostring(v)
          if node.escape == 'HTML' then v = escape_html(v)
          elseif node.escape == 'URL' then v = escape_url(v) end
          out[#out + 1] = v
        end
      elseif node.kind == 'IF' or node.kind == 'UNLESS' then
        local yes = truthy(lookup(scopes, node.name, node.global))
        if node.kind == 'UNLESS' then yes = not yes end
        local b = node.then_body or node.body
        if not yes then b = node.then_body and node.else_body or nil end
        if b then run(b, scopes, out) end
      elseif node.kind == 'LOOP' then
        local list = lookup(scopes, node.name, node.global)
        if type(list) == 'table' then
          local n = #list
          for i, item in ipairs(list) do
            local scope = setmetatable({
              __FIRST__ = i == 1, __LAST__ = i == n, __INNER__ = i > 1 and i < n, __ODD__ = i % 2 == 1,
              __PASS__ = i, __PASSTOTAL__ = n,
            }, { __index = item })
            scopes[#scopes + 1] = scope
            run(node.body, scopes, out)
            scopes[#scopes] = nil
          end
        end
      elseif node.kind == 'INCLUDE' then
        out[#out + 1] = node.render(scopes[#scopes], scopes)
      end
    end
  end
  return function(vars, outer)
    local scopes = {}
    for i, s in ipairs(outer or {}) do scopes[i] = s end
    if not outer then scopes[1] = vars end
    local out = {}
    run(root.body, scopes, out)
    return table.concat(out)
  end
end

--- M.compile, with errors returned as nil, err.
function M.load(src, name, load_file)
  local ok, res = pcall(M.compile, src, name, load_file)
  if ok then return res end
  return nil, res
end

return M
