--- orrery.opml: the subscription list in and out (OPML 1.0/2.0).
---
--- Import reads every outline with an xmlUrl, however deeply nested in folders (the
--- folder names become nothing: orrery's planet is one list), with libxml2's forgiving HTML
--- parser, so the OPML files other readers export, rarely valid XML, still come in.
local cfeed = require('orrery._feed')
local chtml = require('orrery._html')
local publish = require('orrery.publish')
local util = require('orrery.util')

local M = {}

--- The feeds of an OPML document: { { url, name, link } } in document order, each URL once,
--- and the outlines left out: { { url, why } }.  A subscription list comes from elsewhere:
--- only http(s) feed URLs are taken (never a file:, javascript: or local path), and a site
--- link that is not a web address is dropped.
function M.read(text)
  local doc = chtml.parse(text)
  local feeds, seen, skipped = {}, {}, {}
  for _, o in ipairs(doc:select('//outline[@xmlurl]')) do
    local raw = util.trim(o:attr('xmlurl') or '')
    local url, why = nil, 'not an http(s) URL'
    if raw:match('^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]') then url, why = cfeed.url(raw) end
    if raw ~= '' and not url then
      skipped[#skipped + 1] = { url = raw, why = why }
    elseif url and not seen[url] then
      seen[url] = true
      local name = o:attr('title') or o:attr('text')
      if name and util.trim(name) == '' then name = nil end
      local link = o:attr('htmlurl')
      link = link and link:match('^[Hh][Tt][Tt][Pp][Ss]?://') and cfeed.url(link) or nil
      feeds[#feeds + 1] = { url = url, name = name and util.trim(name), link = link }
    end
  end
  return feeds, skipped
end

--- planet.lua text for the feeds of an OPML document, how many there were, and the
--- outlines left out ({ { url, why } }).
function M.to_planet(text, source)
  local feeds = {}
  local read, skipped = M.read(text)
  for _, f in ipairs(read) do
    local fields = {}
    if f.name then fields[#fields + 1] = { 'name', f.name } end
    if f.link and f.link ~= '' then fields[#fields + 1] = { 'link', f.link } end
    feeds[#feeds + 1] = { url = f.url, fields = fields }
  end
  local header = 'converted by `orrery opml import` from ' .. (source or 'an OPML file') .. '.'
  return require('orrery.venus').write_planet(header, {}, {}, feeds), #feeds, skipped
end

--- OPML 2.0 for the feeds of a planet config (feeds read from local files are left out, and
--- so are passwords in URLs; a site scraped by a recipe has no feed: it is listed as a link).
function M.write(cfg)
  local e = util.escape
  local out = { '<?xml version="1.0" encoding="utf-8"?>', '<opml version="2.0">', '  <head>',
    '    <title>' .. e(cfg.name) .. '</title>' }
  if cfg.owner.name then out[#out + 1] = '    <ownerName>' .. e(cfg.owner.name) .. '</ownerName>' end
  if cfg.owner.email then out[#out + 1] = '    <ownerEmail>' .. e(cfg.owner.email) .. '</ownerEmail>' end
  out[#out + 1] = '  </head>'
  out[#out + 1] = '  <body>'
  for _, f in ipairs(cfg.feeds) do
    local url = f.enabled and publish.url(f.moved_to or f.url)
    if url and f.scraped then
      out[#out + 1] = string.format('    <outline type="link" text="%s" url="%s"/>', e(f.name), e(f.link or url))
    elseif url then
      out[#out + 1] = string.format('    <outline type="rss" text="%s" xmlUrl="%s"%s/>', e(f.name), e(url),
        f.link and (' htmlUrl="' .. e(f.link) .. '"') or '')
    end
  end
  out[#out + 1] = '  </body>'
  out[#out + 1] = '</opml>'
  return table.concat(out, '\n') .. '\n'
end

return M
