--- orrery.helpers: the common jobs of recipes, given to every recipe as `helpers`.
---
--- They work on entries as recipes see them (HTML fields already sanitized, so attributes
--- are double-quoted and escaped: simple patterns are reliable) and return new values; what
--- a recipe returns is sanitized again before it is stored, so no helper can open a hole.
local M = {}

--- html cut at the first match of any Lua pattern in `markers` (a string or a list): the
--- match and everything after it go.  Unchanged when nothing matches.
function M.cut_at(html, markers)
  if not html then return html end
  if type(markers) == 'string' then markers = { markers } end
  local cut = #html + 1
  for _, p in ipairs(markers) do
    local i = html:find(p)
    if i and i < cut then cut = i end
  end
  return html:sub(1, cut - 1)
end

--- html with every match of the Lua patterns in `patterns` removed (ads, share buttons).
function M.remove(html, patterns)
  if not html then return html end
  if type(patterns) == 'string' then patterns = { patterns } end
  for _, p in ipairs(patterns) do html = html:gsub(p, '') end
  return html
end

--- html with each href and src attribute passed through fn(url, attribute): a new URL, or
--- nil to keep it (proxied images, tracking parameters removed, http made https).
function M.rewrite_urls(html, fn)
  if not html then return html end
  for _, attr in ipairs({ 'href', 'src' }) do
    html = html:gsub('(%s' .. attr .. '=")([^"]*)"', function(head, url)
      local new = fn((url:gsub('&amp;', '&')), attr)
      if new == nil then return nil end
      return head .. new:gsub('&', '&amp;'):gsub('"', '&quot;') .. '"'
    end)
  end
  return html
end

--- True when the entry has one of the tags (a string or a list), whatever their case.
function M.has_tag(e, tags)
  if type(tags) == 'string' then tags = { tags } end
  local want = {}
  for _, t in ipairs(tags) do want[t:lower()] = true end
  for _, t in ipairs(e.tags or {}) do
    if want[t:lower()] then return true end
  end
  return false
end

--- True when `field` of the entry (default: title) matches any of the Lua patterns.
function M.matches(e, patterns, field)
  local v = e[field or 'title']
  if type(v) ~= 'string' then return false end
  if type(patterns) == 'string' then patterns = { patterns } end
  for _, p in ipairs(patterns) do
    if v:find(p) then return true end
  end
  return false
end

return M
