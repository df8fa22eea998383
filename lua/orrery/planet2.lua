--- orrery.planet2: the variables Planet 2.0 (and Venus) htmltmpl templates see, made from
--- the store, with Planet 2.0's meaning (docs/htmltmpl.md has the table).
---
--- Top level: name, link, uri, owner_name, owner_email, generator, date, date_iso,
--- date_822, feed_items, Items, Channels.  Each of Items: title, link, id, content, summary,
--- creator, author, date, date_iso, date_822, new_date (on the first entry of a day only),
--- new_channel (where the channel changes, or a day starts), and the channel's keys again
--- with a channel_ prefix.  Each of Channels: name, title, link, url, uri, message, face,
--- updated, updated_iso, updated_822, and the feed's extra keys from planet.lua.
local cutil = require('orrery._util')
local locale = require('orrery.locale')
local publish = require('orrery.publish')
local util = require('orrery.util')

local M = {}

-- Values are HTML, as in Planet 2.0, because its templates write most of them raw
-- (<TMPL_VAR title>): text is escaped, content is the sanitized HTML, and URLs have the
-- characters that could leave an attribute percent-encoded.  No feed can inject markup
-- through a raw TMPL_VAR.  (Where a template adds ESCAPE="HTML" it gets what Planet 2.0
-- gave it: the HTML escaped once more.)
local text = util.escape
local function url(s)
  if s == nil then return nil end
  return (s:gsub('["<>\'%s`]', function(c) return string.format('%%%02X', c:byte()) end))
end

local function iso(t) return t and util.iso8601(t) or nil end
local function rfc822(t) return t and util.rfc822(t) or nil end

--- The channel table of a feed (ctx.feeds element, see orrery.layout.context).
local function channel(cfg, f, fc, now)
  local c = {
    name = text(f.name), title = text(f.title or f.name),
    -- a feed without a site link links to its feed, never to the planet itself
    link = url(f.link or f.url or f.configured_url),
    url = url(f.url or f.configured_url), uri = url(f.url or f.configured_url), face = url(f.face),
    updated = f.newest and text(locale.date(cfg)(cfg.date_format, f.newest)) or nil,
    updated_iso = iso(f.newest), updated_822 = rfc822(f.newest),
  }
  if f.failing then
    c.message = text(f.error or 'failing')
  elseif f.gone then
    c.message = 'gone (HTTP 410)'
  elseif cfg.activity_threshold > 0 and f.last_success and
      (f.newest == nil or now - f.newest > cfg.activity_threshold * 86400) then
    c.message = string.format('no activity in %d days', cfg.activity_threshold)
  end
  for k, v in pairs(fc and fc.vars or {}) do if c[k] == nil then c[k] = text(v) end end
  return c
end

--- The variables for ctx (orrery.layout.context).
function M.vars(cfg, ctx)
  local now = ctx.planet.updated
  local fc_by_url = {}
  for _, fc in ipairs(cfg.feeds) do fc_by_url[fc.url] = fc end
  local channels, by_id = {}, {}
  for _, f in ipairs(ctx.feeds) do
    local c = channel(cfg, f, fc_by_url[f.configured_url or ''], now)
    channels[#channels + 1] = c
    by_id[f.id] = c
  end
  table.sort(channels, function(a, b) return a.name:lower() < b.name:lower() end)
  local items = {}
  local last_day, last_channel
  for _, r in ipairs(ctx.page_rows) do
    local c = by_id[r.feed_id]
    if c then
      local content = r.content or r.summary
      local author = publish.author(cfg, r)
      local it = {
        title = r.title and r.title:find('%S') and text(r.title) or nil,
        -- an entry without a (safe) link leads to its feed's site: templates write href="link"
        link = url(r.link) or c.link, id = text(publish.entry_uri(r)),
        content = content, summary = r.summary or content,
        creator = author and text(author), author = author and text(author),
        date = text(locale.date(cfg)(cfg.date_format, r.date)),
        date_iso = iso(r.date), date_822 = rfc822(r.date),
      }
      for k, v in pairs(c) do it['channel_' .. k] = v end
      local day = cutil.strftime('%Y-%m-%d', r.date, cfg.time_zone)
      if day ~= last_day then
        it.new_date = text(locale.date(cfg)(cfg.day_format, r.date))
        last_day = day
      end
      if it.new_date or c ~= last_channel then
        it.new_channel = c.url or c.link
        last_channel = c
      end
      items[#items + 1] = it
    end
  end
  return {
    name = text(cfg.name), link = url(cfg.link), uri = url(cfg.link),
    owner_name = cfg.owner.name and text(cfg.owner.name), owner_email = cfg.owner.email and text(cfg.owner.email),
    generator = text(ctx.planet.generator),
    -- when what the page shows last changed, not the time of rendering: a run with nothing
    -- new leaves index.html and the feeds byte for byte as they were (readers' 304s)
    date = text(locale.date(cfg)(cfg.date_format, ctx.planet.changed)),
    date_iso = iso(ctx.planet.changed), date_822 = rfc822(ctx.planet.changed),
    feed_items = cfg.feed_items,
    Items = items, Channels = channels,
  }
end

return M
