--- orrery.util: small pure helpers shared by the Lua modules.
local cutil = require('orrery._util')

local M = {}

--- s without white space at its start and end.  In time linear in #s whatever it holds:
--- the idiom gsub('%s+$', '') tries every position of a run of blanks and reads the run
--- from each, and a feed's field of 200,000 spaces then took minutes.
---@param s string
---@return string
function M.trim(s)
  local from, to = s:match('^%s*()'), #s
  local byte = string.byte
  while to >= from do
    local c = byte(s, to)
    if c ~= 32 and (c < 9 or c > 13) then break end
    to = to - 1
  end
  return s:sub(from, to)
end

--- Directory part of a path ("." when there is none).
function M.dirname(path)
  return path:match('^(.*)/[^/]*$') or '.'
end

--- Join a path to a base directory unless it is absolute.
function M.join(dir, path)
  if path:sub(1, 1) == '/' or dir == nil or dir == '' or dir == '.' then return path end
  return dir .. '/' .. path
end

--- A shallow copy of a table.
function M.copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

--- Escape text for HTML and XML (text and attribute values): the five characters markup
--- gives a meaning to as references, and the control characters XML does not allow at all
--- (but tab, newline, carriage return) dropped: the parsers keep them out of the model, and
--- this keeps a recipe's string from leaving atom.xml not well-formed for every reader of
--- it.  (In C: templates call it for every value they write.)
---@param s any
---@return string
function M.escape(s)
  if s == nil then return '' end
  return cutil.escape(type(s) == 'string' and s or tostring(s))
end

--- Seconds since the epoch of 00:00 UTC on year-month-day (month may run past 12), whatever
--- the machine's time zone (os.time reads its table as local time).
function M.utc_time(year, month, day)
  year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
  local y = month <= 2 and year - 1 or year        -- days from civil (H. Hinnant)
  local era = y // 400
  local yoe = y - era * 400
  local mp = (month + 9) % 12
  local doy = (153 * mp + 2) // 5 + day - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return (era * 146097 + doe - 719468) * 86400
end

--- ISO 8601 UTC ("2026-04-02T16:44:00Z").
function M.iso8601(t)
  return os.date('!%Y-%m-%dT%H:%M:%SZ', t)
end

--- RFC 822 date as RSS wants it ("Thu, 02 Apr 2026 16:44:00 +0000"), locale-free.
function M.rfc822(t)
  local days = { 'Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat' }
  local months = { 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec' }
  local d = os.date('!*t', t)
  return string.format('%s, %02d %s %04d %02d:%02d:%02d +0000', days[d.wday], d.day,
    months[d.month], d.year, d.hour, d.min, d.sec)
end

--- The host of a URL, lower-cased, or nil.
function M.host(url)
  local h = url and url:match('^%a[%w+.-]*://([^/?#]+)')
  if not h then return nil end
  h = h:gsub('^.*@', ''):gsub(':%d+$', '')
  return h:lower()
end

--- A value as Lua source, on one line: a string quoted (line breaks as \n), a number or a
--- boolean as written, a table of these as a constructor (its list first, then its other
--- keys sorted).  What orrery writes into planet.lua and recipe test files.
function M.lua_literal(v)
  if type(v) == 'string' then return (string.format('%q', v):gsub('\\\n', '\\n')) end
  if type(v) ~= 'table' then return tostring(v) end
  local parts = {}
  for _, x in ipairs(v) do parts[#parts + 1] = M.lua_literal(x) end
  local keys = {}
  for k in pairs(v) do if math.type(k) ~= 'integer' then keys[#keys + 1] = k end end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local name = tostring(k)
    parts[#parts + 1] = (name:match('^[%a_][%w_]*$') and name or ('[' .. M.lua_literal(k) .. ']')) .. ' = '
      .. M.lua_literal(v[k])
  end
  return '{ ' .. table.concat(parts, ', ') .. ' }'
end

--- A failure to report to the user as it is (no traceback): bad config, unwritable
--- output, a database that cannot be opened.  The CLI prints its message and exits 1.
local failure_mt = { __tostring = function(f) return f.msg end }

--- kind says which exit status it ends the command with: 'config' (the planet's
--- configuration or layout), 'write' (the database or output cannot be written), 'locked'
--- (another run holds the planet), or nil (it failed otherwise).
function M.fail(msg, kind)
  error(setmetatable({ msg = msg, kind = kind }, failure_mt), 0)
end

function M.is_failure(e)
  return getmetatable(e) == failure_mt
end

return M
