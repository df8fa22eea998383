--- orrery.json: JSON encode/decode for outputs, stored tag lists and test fixtures.
--- Objects are written with sorted keys so that output is stable byte for byte.
local M = {}

--- The JSON null (decode returns it; encode writes it).
M.null = setmetatable({}, { __tostring = function() return 'null' end })

--- Mark a table as an array even when empty.
local array_mt = { __name = 'json.array' }
function M.array(t)
  return setmetatable(t or {}, array_mt)
end

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function encode_string(s)
  -- JSON is UTF-8: a string that is not (should one get past the repairs upstream) is
  -- repaired here rather than making the whole document unreadable (`refresh --json`)
  if not utf8.len(s) then s = require('orrery._util').utf8(s) end
  if not s:find('[%c"\\]') then return '"' .. s .. '"' end   -- (nearly every string: one scan)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format('\\u%04x', c:byte())
  end) .. '"'
end

local function is_array(t)
  if getmetatable(t) == array_mt then return true end
  local n = #t
  if n == 0 then return next(t) == nil and false end
  for k in pairs(t) do
    if math.type(k) ~= 'integer' or k < 1 or k > n then return false end
  end
  return true
end

local encode_value

-- The indentation of each depth, per indent string: made once, not at every table.
local pads = setmetatable({}, { __index = function(all, indent)
  local t = setmetatable({}, { __index = function(p, depth)
    local s = string.rep(indent, depth)
    p[depth] = s
    return s
  end })
  all[indent] = t
  return t
end })

local function encode_table(t, out, indent, depth)
  local nl, pad, pad_in = '', '', ''
  if indent then
    nl = '\n'
    pad = pads[indent][depth]
    pad_in = pads[indent][depth + 1]
  end
  if is_array(t) then
    local n = #t
    if n == 0 then out[#out + 1] = '[]' return end
    out[#out + 1] = '[' .. nl
    local sep = ',' .. nl
    for i = 1, n do
      local v = t[i]
      if math.type(v) == 'integer' then                 -- (a list of counts: no call)
        out[#out + 1] = pad_in .. v
      else
        out[#out + 1] = pad_in
        encode_value(v, out, indent, depth + 1)
      end
      out[#out + 1] = i < n and sep or nl
    end
    out[#out + 1] = pad .. ']'
  else
    local keys = {}
    for k in pairs(t) do
      if type(k) ~= 'string' then error('json: object keys must be strings', 0) end
      keys[#keys + 1] = k
    end
    if #keys == 0 then out[#out + 1] = '{}' return end
    table.sort(keys)
    out[#out + 1] = '{' .. nl
    for i, k in ipairs(keys) do
      out[#out + 1] = pad_in .. encode_string(k) .. (indent and ': ' or ':')
      encode_value(t[k], out, indent, depth + 1)
      out[#out + 1] = (i < #keys and ',' or '') .. nl
    end
    out[#out + 1] = pad .. '}'
  end
end

function encode_value(v, out, indent, depth)
  local t = type(v)
  if v == nil or v == M.null then out[#out + 1] = 'null'
  elseif t == 'boolean' then out[#out + 1] = tostring(v)
  elseif t == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then error('json: cannot encode ' .. v, 0) end
    out[#out + 1] = math.type(v) == 'integer' and tostring(v) or string.format('%.14g', v)
  elseif t == 'string' then out[#out + 1] = encode_string(v)
  elseif t == 'table' then
    if depth > 100 then error('json: nesting too deep', 0) end
    encode_table(v, out, indent, depth)
  else error('json: cannot encode a ' .. t, 0) end
end

--- Encode an array of strings, as M.encode(M.array(list)) does (a stored entry's tags: two
--- concats and one scan when no string needs an escape or a repair, instead of the general
--- walk and a scan a string).
function M.encode_strings(list)
  local n = #list
  if n == 0 then return '[]' end
  for i = 1, n do
    if type(list[i]) ~= 'string' then return M.encode(M.array(list)) end
  end
  -- (joined by an ASCII byte, so that two halves of a character do not read as one)
  local all = table.concat(list, ',')
  if all:find('[%c"\\]') or not utf8.len(all) then return M.encode(M.array(list)) end
  return '["' .. table.concat(list, '","') .. '"]'
end

--- Encode a value; `indent` (e.g. ' ') pretty-prints.
---@param v any
---@param indent string|nil
---@return string
function M.encode(v, indent)
  local out = {}
  encode_value(v, out, indent, 0)
  return table.concat(out)
end

-- Decoder ---------------------------------------------------------------------------

local function decode_error(pos, what)
  error(string.format('json: %s at byte %d', what, pos), 0)
end

local function skip(s, pos)
  return s:find('[^ \t\r\n]', pos) or #s + 1
end

local decode_value

local function utf8_of(cp) return utf8.char(cp) end

local function decode_string(s, pos)
  local out, i = {}, pos + 1
  while true do
    local j = s:find('["\\]', i)
    if not j then decode_error(pos, 'unterminated string') end
    out[#out + 1] = s:sub(i, j - 1)
    if s:sub(j, j) == '"' then return table.concat(out), j + 1 end
    local c = s:sub(j + 1, j + 1)
    if c == 'u' then
      local hex = s:match('^%x%x%x%x', j + 2)
      if not hex then decode_error(j, 'bad \\u escape') end
      local cp = tonumber(hex, 16)
      i = j + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local lo = s:match('^\\u(%x%x%x%x)', i)
        if lo then
          cp = 0x10000 + (cp - 0xD800) * 0x400 + (tonumber(lo, 16) - 0xDC00)
          i = i + 6
        end
      end
      out[#out + 1] = utf8_of(cp)
    else
      local map = { b = '\b', f = '\f', n = '\n', r = '\r', t = '\t', ['"'] = '"', ['\\'] = '\\', ['/'] = '/' }
      if not map[c] then decode_error(j, 'bad escape') end
      out[#out + 1] = map[c]
      i = j + 2
    end
  end
end

function decode_value(s, pos, depth)
  if depth > 200 then decode_error(pos, 'nesting too deep') end
  pos = skip(s, pos)
  local c = s:sub(pos, pos)
  if c == '{' then
    local obj = {}
    pos = skip(s, pos + 1)
    if s:sub(pos, pos) == '}' then return obj, pos + 1 end
    while true do
      if s:sub(pos, pos) ~= '"' then decode_error(pos, 'expected a key') end
      local k
      k, pos = decode_string(s, pos)
      pos = skip(s, pos)
      if s:sub(pos, pos) ~= ':' then decode_error(pos, "expected ':'") end
      obj[k], pos = decode_value(s, pos + 1, depth + 1)
      pos = skip(s, pos)
      local d = s:sub(pos, pos)
      if d == '}' then return obj, pos + 1 end
      if d ~= ',' then decode_error(pos, "expected ',' or '}'") end
      pos = skip(s, pos + 1)
    end
  elseif c == '[' then
    local arr = M.array({})
    pos = skip(s, pos + 1)
    if s:sub(pos, pos) == ']' then return arr, pos + 1 end
    while true do
      arr[#arr + 1], pos = decode_value(s, pos, depth + 1)
      pos = skip(s, pos)
      local d = s:sub(pos, pos)
      if d == ']' then return arr, pos + 1 end
      if d ~= ',' then decode_error(pos, "expected ',' or ']'") end
      pos = pos + 1
    end
  elseif c == '"' then
    return decode_string(s, pos)
  elseif s:find('^true', pos) then return true, pos + 4
  elseif s:find('^false', pos) then return false, pos + 5
  elseif s:find('^null', pos) then return M.null, pos + 4
  else
    local num = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', pos)
    if not num or num == '' then decode_error(pos, 'unexpected character') end
    return math.tointeger(tonumber(num)) or tonumber(num), pos + #num
  end
end

--- Decode a JSON text; returns value or nil, err.
function M.decode(s)
  local ok, v, pos = pcall(decode_value, s, 1, 0)
  if not ok then return nil, v end
  pos = skip(s, pos)
  if pos <= #s then return nil, 'json: trailing data at byte ' .. pos end
  return v
end

--- Decode an array of strings as encode_strings writes it (a stored entry's tags): '[]' and
--- '["a","b"]' without escapes are split as they are, anything else goes to M.decode.
--- Rendering decodes every shown entry's tags and enclosures.
---@param s string
function M.decode_strings(s)
  if s == '[]' then return {} end
  if s:sub(1, 2) == '["' and s:sub(-2) == '"]' and not s:find('\\', 3, true) then
    local out, inner = {}, s:sub(3, -3)
    for part in (inner .. '","'):gmatch('(.-)","') do
      if part:find('"', 1, true) then return M.decode(s) end
      out[#out + 1] = part
    end
    return out
  end
  return M.decode(s)
end

return M
