--- orrery.publish: what of the store may appear in the planet's outputs, and how.  Every
--- output (the layout's templates, Planet 2.0/Venus templates, OPML export, health pages)
--- takes feed URLs, entry ids and authors through here.
local cutil = require('orrery._util')

local M = {}

--- A URL as it may appear in any output: without the user:password@ a feed URL may carry
--- for fetching, and nil for a local file (a path on this machine is nobody's business).
function M.url(url)
  if url == nil or url:match('^file:') then return nil end
  local scheme, auth, rest = url:match('^(%a[%w+.-]*://)([^/?#]*)(.*)$')
  if not scheme then return url end
  return scheme .. auth:gsub('^.*@', '') .. rest
end

--- The id an entry is published with (Atom <id>, RSS <guid>, RDF's about): its own when
--- that is a URI that cannot run anything (http, https, urn, tag), else a URN made from it
--- and its feed: an id is any string a feed chose, and other readers take an id for a link.
function M.entry_uri(row)
  local g = row.guid
  local scheme = g and g:match('^(%a[%w+.-]*):')
  scheme = scheme and scheme:lower()
  if (scheme == 'http' or scheme == 'https') and not g:find('[%s<>"\'`]') then return g end
  if (scheme == 'urn' or scheme == 'tag') and not g:find('[%s<>"\'`]') then return g end
  return 'urn:orrery:entry:' .. cutil.hash(tostring(row.feed_id) .. ' ' .. tostring(g))
end

-- The host of an http(s) URL, lower case, without user info and port.
local function host_of(url)
  local h = url and url:match('^%a[%w+.-]*://([^/?#]+)')
  h = h and h:gsub('^.*@', ''):lower()
  return h and (h:match('^(%b[])') or h:gsub(':%d*$', '')) or nil
end

-- How a fetch fails at a host, in the words of the fetcher's guard and of libcurl: the host
-- named (with its port, sometimes), or nil.
local failed_at = {
  '^refused: (%S-) is on a private address',
  '^Could not resolve host: (%S+)',
  '^Failed to connect to (%S+) port',
}

--- A feed's last error as the public pages (health.html, health.json, a template's
--- message) show it: as M.message has it, except where the feed failed at a host it was
--- redirected to.  Then it is said one way whatever happened there ("could not fetch
--- HOST, where the feed redirected"): whether another host was refused as a private
--- address, was not in DNS or did not answer would tell whoever runs the feed what names
--- the planet's own network has, one name a run, on a page anyone reads.  `orrery status`
--- shows the error itself.
---@param row table the feed's row (last_error, url, fetch_url)
function M.feed_error(cfg, row)
  local msg = M.message(cfg, row.last_error)
  if msg == nil then return nil end
  for _, pat in ipairs(failed_at) do
    local at = msg:match(pat)
    if at then
      local h = host_of('http://' .. at)
      if h and h ~= host_of(row.url) and h ~= host_of(row.fetch_url) then
        return 'could not fetch ' .. h .. ', where the feed redirected (orrery status says why)'
      end
      break
    end
  end
  return msg
end

--- A message (a feed's error, a recipe's traceback line) as the public pages may show it:
--- paths on this machine made relative to the planet's directory (or to orrery's own
--- files), passwords in URLs removed.
function M.message(cfg, msg)
  if msg == nil then return nil end
  local function strip(s, dir)
    if not dir or dir == '' or dir == '.' then return s end
    local d = dir:gsub('/+$', '') .. '/'
    local out, i = {}, 1
    while true do
      local a, b = s:find(d, i, true)
      if not a then break end
      out[#out + 1] = s:sub(i, a - 1)
      i = b + 1
    end
    out[#out + 1] = s:sub(i)
    return table.concat(out)
  end
  msg = strip(msg, cfg.dir)
  msg = strip(msg, ORRERY_HOME)
  -- the user:password@ after each "://" (read once from each: a pattern that starts with the
  -- scheme's letters read a run of them again from each, minutes for a long message)
  local out, i = {}, 1
  while true do
    local a = msg:find('://', i, true)
    if not a then break end
    local stop = msg:find('[/@%s]', a + 3)
    out[#out + 1] = msg:sub(i, a + 2)
    i = stop and msg:byte(stop) == 64 and stop + 1 or a + 3
  end
  out[#out + 1] = msg:sub(i)
  return table.concat(out)
end

--- The author an entry shows: the name; the email address only when the planet says so.
function M.author(cfg, row)
  return row.author or (cfg.publish_emails and row.author_email) or nil
end

return M
