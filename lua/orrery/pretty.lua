--- orrery.pretty: values as text for people — the REPL's printer and `show`.
---
--- Entry lists print as aligned rows that fit the width, feeds as a table, single entries as
--- a short card; anything else as a depth-limited, sorted table dump.  Long strings are cut
--- with a marker.
local chtml = require('orrery._html')
local query = require('orrery.query')
local util = require('orrery.util')

local M = {}

local ELLIPSIS = '…'
local PRE = '\u{E000}'   -- marks preformatted lines (a private-use character)

--- Cut s to n characters (UTF-8 aware), marking the cut.
function M.cut(s, n)
  s = tostring(s or '')
  if n <= 0 then return '' end
  if utf8.len(s) and utf8.len(s) <= n then return s end
  if not utf8.len(s) then s = s:gsub('[\128-\255]', '?') if #s <= n then return s end end
  local stop = utf8.offset(s, n) or (#s + 1)
  return s:sub(1, stop - 1) .. ELLIPSIS
end

local function width_of(s)
  return utf8.len(s) or #s
end

local function pad(s, n)
  return s .. string.rep(' ', n - width_of(s))
end

local function day(t)
  return t and os.date('!%Y-%m-%d', t) or '----------'
end

local function one_line(s)
  return (tostring(s or ''):gsub('%s+', ' '))
end

--- Aligned rows for an entry list: #, date, feed, title (and a snippet line for searches).
function M.entry_rows(list, width)
  if #list == 0 then return '(no entries)' end
  local feed_w = 0
  for _, e in ipairs(list) do feed_w = math.max(feed_w, width_of(one_line(e.feed_name))) end
  feed_w = math.min(feed_w, math.max(10, width // 4))
  local num_w = #tostring(#list)
  local title_w = math.max(10, width - num_w - 2 - 10 - 2 - feed_w - 2)
  local out = {}
  for i, e in ipairs(list) do
    out[#out + 1] = string.format('%' .. num_w .. 'd  %s  %s  %s', i, day(e.date),
      pad(M.cut(one_line(e.feed_name), feed_w), feed_w), M.cut(one_line(e.title or '(untitled)'), title_w))
    if e.snippet then
      out[#out + 1] = string.rep(' ', num_w + 2) .. M.cut(one_line(e.snippet), width - num_w - 2)
    end
  end
  return table.concat(out, '\n')
end

--- Aligned columns for rows of records.
function M.table_rows(list, columns, width)
  if #list == 0 then return '(none)' end
  if not columns then
    local seen = {}
    columns = {}
    for _, r in ipairs(list) do
      for k in pairs(r) do
        if not seen[k] and type(k) == 'string' then seen[k] = true columns[#columns + 1] = k end
      end
    end
    table.sort(columns)
  end
  local cells, widths = {}, {}
  for j, c in ipairs(columns) do widths[j] = width_of(c) end
  for i, r in ipairs(list) do
    cells[i] = {}
    for j, c in ipairs(columns) do
      local v = r[c]
      if type(v) == 'number' and c:match('date$') or c == 'newest' or c == 'oldest'
        or c == 'last_success' then
        v = v and os.date('!%Y-%m-%d %H:%M', v)
      end
      local s = M.cut(one_line(v == nil and '' or tostring(v)), 60)
      cells[i][j] = s
      widths[j] = math.max(widths[j], width_of(s))
    end
  end
  local function line(vals)
    local parts = {}
    for j, v in ipairs(vals) do parts[j] = pad(v, widths[j]) end
    return M.cut((table.concat(parts, '  '):gsub('%s+$', '')), width)
  end
  local out = { line(columns) }
  for i = 1, #cells do out[#out + 1] = line(cells[i]) end
  return table.concat(out, '\n')
end

local function is_entry(t)
  return type(t) == 'table' and t.guid ~= nil and t.feed_id ~= nil
end

--- A short card for one entry.
function M.entry_card(e, width)
  local text = one_line(chtml.text(e.content or e.summary or ''))
  local lines = {
    M.cut(e.title or '(untitled)', width),
    string.format('  feed:    %s', e.feed_name or e.feed_id),
    string.format('  date:    %s UTC', e.date and os.date('!%Y-%m-%d %H:%M', e.date) or '?'),
    string.format('  link:    %s', e.link or '-'),
  }
  if e.author then lines[#lines + 1] = '  author:  ' .. e.author end
  if e.tags and #e.tags > 0 then lines[#lines + 1] = '  tags:    ' .. table.concat(e.tags, ', ') end
  lines[#lines + 1] = '  ' .. M.cut(text, math.max(20, width * 2 - 2))
  return table.concat(lines, '\n')
end

local block = {
  p = true, div = true, li = true, ul = true, ol = true, blockquote = true, pre = true,
  h1 = true, h2 = true, h3 = true, h4 = true, h5 = true, h6 = true, table = true, tr = true,
  figure = true, section = true, article = true, header = true, footer = true, dl = true,
}

local function wrap(text, width)
  local out = {}
  for para in (text .. '\n'):gmatch('(.-)\n') do
    if para == '' then
      out[#out + 1] = ''
    elseif para:sub(1, #PRE) == PRE then      -- preformatted: kept as it is
      out[#out + 1] = para:sub(#PRE + 1)
    else
      local line = ''
      for word in para:gmatch('%S+') do
        if line ~= '' and width_of(line) + 1 + width_of(word) > width then
          out[#out + 1] = line
          line = word
        else
          line = line == '' and word or (line .. ' ' .. word)
        end
      end
      out[#out + 1] = line
    end
  end
  return table.concat(out, '\n')
end

-- A line without the blanks (spaces, tabs) at its end, in time linear in its length.
local function rstrip(line)
  local to = #line
  while to > 0 do
    local c = line:byte(to)
    if c ~= 32 and c ~= 9 then break end
    to = to - 1
  end
  return line:sub(1, to)
end

--- HTML as readable text: blocks become paragraphs, list items get bullets, links keep
--- their target in brackets.
function M.html_to_text(html, width)
  local s = html or ''
  -- preformatted lines are marked so that wrapping leaves them alone
  s = s:gsub('<pre[^>]*>(.-)</pre>', function(body)
    return '<pre>' .. PRE .. body:gsub('\n', '\n' .. PRE) .. '</pre>'
  end)
  s = s:gsub('<a [^>]*href="([^"]*)"[^>]*>(.-)</a>', function(href, label)
    return label .. ' [' .. href .. ']'
  end)
  s = s:gsub('<li[^>]*>', '<li>• ')
  s = s:gsub('<br[^>]*>', '\n')
  s = s:gsub('</(%w+)>', function(tag)
    if block[tag:lower()] then return '</' .. tag .. '>\n\n' end
  end)
  local text = chtml.text(s)
  -- (each line's trailing blanks, and the text's, cut in linear time: gsub('[ \t]+\n') reads
  -- a run of blanks again from each of its bytes, minutes for a feed's 200,000 spaces)
  text = util.trim(text:gsub('[^\n]+', rstrip):gsub('\n\n\n+', '\n\n'))
  return wrap(text, width)
end

--- One entry in full, its HTML rendered as text.
function M.entry_full(e, width)
  local head = M.entry_card(e, width):gsub('\n[^\n]*$', '')
  return head .. '\n\n' .. M.html_to_text(e.content or e.summary or '', width)
end

local function dump(v, depth, seen, indent)
  if type(v) == 'string' then return string.format('%q', M.cut(v, 200)) end
  if type(v) ~= 'table' then return tostring(v) end
  if seen[v] then return '<cycle>' end
  if depth <= 0 then return '{…}' end
  seen[v] = true
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == 'number' or type(a) == 'string') then return a < b end
    return type(a) < type(b)
  end)
  if #keys == 0 then seen[v] = nil return '{}' end
  local out = {}
  local n = 0
  for _, k in ipairs(keys) do
    n = n + 1
    if n > 50 then out[#out + 1] = indent .. '  …' break end
    local key = (type(k) == 'string' and k:match('^[%a_][%w_]*$')) and k or ('[' .. dump(k, 1, seen, '') .. ']')
    out[#out + 1] = indent .. '  ' .. key .. ' = ' .. dump(v[k], depth - 1, seen, indent .. '  ')
  end
  seen[v] = nil
  return '{\n' .. table.concat(out, ',\n') .. '\n' .. indent .. '}'
end

--- Any value as text, for the REPL.
function M.format(v, width)
  width = width or 80
  local mt = getmetatable(v)
  if mt == query.EntryList then return M.entry_rows(v, width) end
  if mt == query.FeedList then
    return M.table_rows(v, { 'id', 'name', 'entries', 'newest', 'last_status', 'last_error' }, width)
  end
  if type(mt) == 'table' and mt.__name == 'orrery.Rows' then return M.table_rows(v, mt.columns, width) end
  if is_entry(v) then return M.entry_card(v, width) end
  if type(v) == 'table' and mt and mt.__tostring then return tostring(v) end
  return dump(v, 3, {}, '')
end

return M
