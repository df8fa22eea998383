-- Cut a trailer off every entry: by default WordPress's "The post X appeared first on Y."
-- and "Read more" links.  options.patterns replaces the list (Lua patterns matched against
-- the entry's HTML; everything from the match to the end is removed).
local default_patterns = {
  '<p>%s*The post .- appeared first on .-</p>%s*$',
  '<p>%s*<a[^>]*>%s*[Rr]ead more.-</p>%s*$',
  '%s*%[%s*…%s*%]%s*$',
}

local function cut(s, patterns)
  if not s then return s end
  for _, p in ipairs(patterns) do
    local i = s:find(p)
    if i then s = s:sub(1, i - 1) end
  end
  return s
end

return {
  entry = function(e, ctx)
    local patterns = ctx.options.patterns or default_patterns
    e.content = cut(e.content, patterns)
    e.summary = cut(e.summary, patterns)
    return e
  end,
}
