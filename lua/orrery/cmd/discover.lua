--- orrery discover: the feeds behind a site's address, as planet.lua lines.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'discover',
  summary = "find the feed(s) of a site from its address, as lines for planet.lua",
  args = 'URL|FILE',
  nargs = { 1, 1 },
  options = {},
  description = [[Find the feeds behind an address: a feed itself, or the feeds a page announces with
<link rel="alternate"> (each fetched to check it is one).  Prints one planet.lua line per
feed, with its title as the name, ready to paste into feeds = { ... }.  Exit 1 when there is
none; a page without any gets a pointer to scrape recipes.]],
}

function M.run(_, operands)
  local parse = require('orrery.parse')
  local cfg = require('orrery.config').defaults
  local function line(url, feed)
    local name = feed.title and feed.title:find('%S') and feed.title or url
    return string.format('{ url = %q, name = %q },  -- %s, %d entries', url, name, feed.format, #feed.entries)
  end
  local src = operands[1]
  local body, url, ctype = common.read_source(src, cfg)
  if not body then log.error('%s', url) return common.FAIL end
  local feed, err, links = parse.feed(body, { url = url, content_type = ctype })
  if feed then print(line(url, feed)) return common.OK end
  if not links or #links == 0 then
    if err:find('HTML page', 1, true) then
      err = err .. ' that announces no feed: a recipe with a scrape hook can turn it into entries'
        .. ' (docs/recipes.md, "Sites without a feed"; orrery try --recipe NAME ' .. src .. ')'
    end
    log.error('%s: %s', src, err)
    return common.FAIL
  end
  local found = 0
  for _, l in ipairs(links) do
    local b, u, ct = common.read_source(l.href, cfg)
    local f, ferr
    if b then f, ferr = parse.feed(b, { url = u, content_type = ct }) else ferr = u end
    if f then
      print(line(l.href, f))
      found = found + 1
    else
      log.warn('%s (announced by the page): %s', l.href, ferr)
    end
  end
  return found > 0 and common.OK or common.FAIL
end

return M
