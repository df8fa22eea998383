--- orrery.parse: feed bytes to normalized feed tables (policy over orrery._feed).
---
--- The C parser does the reading; this module decides identity: every entry gets a
--- stable `id` (its guid/id, else its link, else a hash of title and content), and an id
--- that appears twice in one feed is kept once (the first, the feed's own order).
local cfeed = require('orrery._feed')
local chtml = require('orrery._html')
local cutil = require('orrery._util')
local json = require('orrery.json')
local util = require('orrery.util')

local M = {}

--- The charset parameter of a Content-Type header, if any.
function M.charset(content_type)
  if not content_type then return nil end
  local cs = content_type:lower():match('charset%s*=%s*"?([%w._:-]+)')
  return cs
end

--- The id an entry is known by across runs.
---@param e table entry as parsed
---@return string
function M.entry_id(e)
  if e.id and e.id ~= '' then return e.id end
  if e.link and e.link ~= '' then return e.link end
  return 'urn:orrery:' .. cutil.hash((e.title or '') .. '\0' .. (e.content or e.summary or ''))
end

-- One line more in the notes of an entry or feed (what the model's rules dropped).
local function note(t, line)
  t.notes = t.notes and t.notes ~= '' and (t.notes .. '\n' .. line) or line
end

-- Every entry its id (entry_id, unless it has one: an entry a recipe changed keeps the id it
-- was parsed with); an id given twice in one feed is kept once, the first (the feed's own
-- order), unless keep_duplicates.  But an id the feed gives to entries that link to
-- different pages is no entry's own (a generator that writes the blog's address, or one
-- fixed value, as every item's guid): each of those is then known by that id with a hash of
-- its link, so that the feed keeps all of them, under the same ids run after run, where it
-- kept only the first.
local function identify(feed, keep_duplicates)
  local seen, kept, link_of, shared, order = {}, {}, {}, {}, {}
  for _, e in ipairs(feed.entries) do
    e.guid = e.guid or M.entry_id(e)
    local link, was = e.link or '', link_of[e.guid]
    if was == nil then link_of[e.guid] = link
    elseif not shared[e.guid] and was ~= '' and link ~= '' and was ~= link then
      shared[e.guid] = 0
      order[#order + 1] = e.guid              -- (the feed's order: its notes stay the same)
    end
  end
  for _, e in ipairs(feed.entries) do
    if shared[e.guid] and e.link and e.link ~= '' and not keep_duplicates then
      shared[e.guid] = shared[e.guid] + 1
      e.guid = e.guid .. '#' .. cutil.hash(e.link)
    end
    if keep_duplicates or not seen[e.guid] then
      seen[e.guid] = true
      kept[#kept + 1] = e
    end
  end
  for _, id in ipairs(order) do
    if shared[id] > 0 then
      note(feed, string.format('%d entries with different links share the id "%s": each is known by it with a hash'
        .. ' of its link', shared[id], #id > 60 and id:sub(1, 57) .. '...' or id))
    end
  end
  feed.entries = kept
  return feed
end

--- Parse a document.
---@param body string
---@param opts table|nil { url = base URL, content_type = HTTP header, sanitize = true,
---  title_html = false (titles as feedparser has them, for the conformance schema),
---  keep_duplicates = false (an id seen twice in the feed is kept twice) }
---@return table|nil feed, string|nil err, table|nil feed_links (when the bytes are an HTML page)
function M.feed(body, opts)
  opts = opts or {}
  local feed, err = cfeed.parse(body, {
    url = opts.url,
    encoding = M.charset(opts.content_type),
    sanitize = opts.sanitize ~= false,
    title_html = opts.title_html,
  })
  return M.finish(feed, err, body, opts)
end

--- The policy half of M.feed, for a feed the C parser already read (orrery._fetch parses
--- on a worker thread while the other feeds download): ids, duplicates, what an HTML page
--- links to.  Arguments: what orrery._feed.parse returned, the bytes, M.feed's opts.
function M.finish(feed, err, body, opts)
  opts = opts or {}
  if not feed then
    if err:find('HTML page', 1, true) then
      -- say where the feeds are: what a person (or `orrery add`) needs next
      local links = chtml.feed_links(body, opts.url)
      if #links > 0 then
        local hrefs = {}
        for i, l in ipairs(links) do hrefs[i] = l.href end
        err = err .. '; it links to these feeds: ' .. table.concat(hrefs, ', ')
      end
      return nil, err, links
    end
    return nil, err
  end
  return identify(feed, opts.keep_duplicates)
end

-- A URL field of t under the model's URL policy (the one orrery._feed applies as it parses).
local function check_url(t, key, base, kind, what)
  local v = t[key]
  if v == nil then return end
  local u, why
  if type(v) == 'string' then u, why = cfeed.url(v, base, kind) else why = 'not a string but a ' .. type(v) end
  t[key] = u
  if not u then
    local shown = tostring(v):sub(1, 60):gsub('%c', ' ')
    note(t, string.format('%s dropped: %s ("%s%s")', what, why, shown, #tostring(v) > 60 and '...' or ''))
  end
end

-- The strings of t made UTF-8 as a feed's are (a recipe's string.char(255) in a title was
-- stored and written out as it was).
local function utf8_strings(t)
  for k, v in pairs(t) do
    if type(v) == 'string' then t[k] = cutil.utf8(v) end
  end
end

--- The feed model's rules for a feed a recipe changed or built (the C parser applies them
--- to what it reads; a recipe cannot get around them): every string UTF-8, every URL field
--- through the URL policy (web addresses only; what is dropped is noted on its entry or
--- feed), enclosures without a URL dropped, every entry an id, an id seen twice kept once
--- (the first).
---@param feed table
---@param base string|nil the document's URL (relative URLs resolve against it)
function M.normalize(feed, base)
  utf8_strings(feed)
  for _, e in ipairs(feed.entries) do
    utf8_strings(e)
    if type(e.tags) == 'table' then utf8_strings(e.tags) end
    for _, x in ipairs(type(e.enclosures) == 'table' and e.enclosures or {}) do
      if type(x) == 'table' then utf8_strings(x) end
    end
  end
  check_url(feed, 'link', base, 'web', 'site link')
  check_url(feed, 'icon', base, 'web', 'icon')
  for _, e in ipairs(feed.entries) do
    check_url(e, 'link', base, 'web', 'link')
    check_url(e, 'comments', base, 'web', 'comments link')
    check_url(e, 'author_uri', base, 'mail', 'author URI')
    local kept = {}
    for _, x in ipairs(type(e.enclosures) == 'table' and e.enclosures or {}) do
      if type(x) == 'table' then
        check_url(x, 'href', base, 'web', 'enclosure')
        if x.notes then note(e, x.notes) x.notes = nil end
        if x.href then kept[#kept + 1] = x end
      end
    end
    e.enclosures = kept
  end
  return identify(feed)
end

--- A language as HTML's lang="" takes it (a BCP 47 tag: "en", "pt-BR", "zh-Hant-TW"), from
--- what feeds write ("en-us", "de_DE", " FR "); nil for what is none ("English", "en, fr",
--- "x").  The primary subtag lower case, the rest as written.
---@param s string|nil
function M.language(s)
  if type(s) ~= 'string' then return nil end
  if #s > 256 then return nil end          -- (a tag is at most 35 bytes: nothing to trim for)
  s = util.trim(s):gsub('_', '-')
  if #s > 35 or not s:match('^%a%a%a?$') and not s:match('^%a%a%a?%-[%w%-]*%w$') then return nil end
  for sub in s:gmatch('[^-]+') do
    if #sub > 8 then return nil end
  end
  local primary, rest = s:match('^(%a+)(.*)$')
  return primary:lower() .. rest
end

-- Elements whose escaped form opening a fragment says "this is HTML escaped twice".
local double_tags = { p = 1, div = 1, a = 1, img = 1, br = 1, ul = 1, ol = 1, li = 1, h1 = 1, h2 = 1, h3 = 1,
  h4 = 1, blockquote = 1, pre = 1, table = 1, span = 1, em = 1, strong = 1, b = 1, i = 1, figure = 1 }

--- HTML escaped twice (a CDATA section holding &lt;p&gt;..., python/planet#206) shows its
--- tags as text.  When a field has no markup at all, starts with an escaped element of
--- HTML and closes it (or ends one with /&gt;), it is unescaped once and sanitized as the
--- HTML it is.  Text that only mentions a tag ("use &lt;b&gt; for bold") is left alone.
local html_fields = { 'summary', 'content' }
function M.undouble(e, base)
  for _, k in ipairs(html_fields) do
    local v = e[k]
    if v and not v:find('<', 1, true) then
      local tag = v:match('^%s*&lt;(%a%w*)[%s&/]')
      tag = tag and tag:lower()
      if tag and double_tags[tag] and (v:lower():find('&lt;/' .. tag .. '&gt;', 1, true)
          or v:find('/&gt;', 1, true)) then
        e[k] = chtml.sanitize(chtml.text(v), e.link or base)
      end
    end
  end
  return e
end

--- Sanitize the HTML fields a recipe changed.  `before` is the entry as parsed.
function M.resanitize(e, before, base)
  for _, k in ipairs(html_fields) do
    if e[k] and (not before or e[k] ~= before[k]) then
      e[k] = chtml.sanitize(e[k], e.link or base)
    end
  end
  if type(e.title) == 'string' and e.title:find('[<&]') and (not before or e.title ~= before.title) then
    e.title = chtml.text(e.title)
  end
  return e
end

local function date(t)
  return t and os.date('!%Y-%m-%dT%H:%M:%SZ', t) or json.null
end

local function orjnull(v) if v == nil then return json.null end return v end

-- Plain text is kept escaped as HTML in orrery's entries; feedparser gives it as written.
local function as_written(s, ctype)
  if s and ctype and ctype ~= 'text/html' and ctype ~= 'application/xhtml+xml' then
    return (s:gsub('&lt;', '<'):gsub('&gt;', '>'):gsub('&amp;', '&'))
  end
  return s
end

-- feedparser copies content to an absent summary for these types only
local copies_to_summary = { ['text/plain'] = true, ['text/html'] = true, ['application/xhtml+xml'] = true }

--- The normalized JSON schema of ../shared/conformance (feedparser's field names).
---@param feed table as returned by M.feed (or nil for a document that is not a feed)
---@return table
function M.conformance(feed, err)
  if not feed then
    return {
      format = 'unknown', bozo = true, error = err,
      feed = { title = json.null, link = json.null, subtitle = json.null, updated = json.null,
               author = json.null, language = json.null, id = json.null },
      entries = json.array(),
    }
  end
  local out = {
    -- feedparser names no version for CDF
    format = feed.format == 'cdf' and 'unknown' or feed.format, bozo = feed.bozo, bozo_message = feed.bozo_message,
    feed = {
      title = orjnull(feed.title), link = orjnull(feed.link),
      subtitle = orjnull(as_written(feed.subtitle, feed.subtitle_type)),
      updated = date(feed.updated), author = orjnull(feed.author_text),
      language = orjnull(feed.language), id = orjnull(feed.id),
    },
    entries = json.array(),
  }
  for _, e in ipairs(feed.entries) do
    local enc = json.array()
    for _, x in ipairs(e.enclosures) do
      enc[#enc + 1] = { href = orjnull(x.href), type = orjnull(x.type), length = orjnull(x.length) }
    end
    local tags = json.array()
    for _, t in ipairs(e.tags) do tags[#tags + 1] = t end
    out.entries[#out.entries + 1] = {
      id = orjnull(e.id), title = orjnull(e.title), link = orjnull(e.link),
      -- (not in feedparser's schema) the id orrery stores the entry by: its own, else derived
      store_id = orjnull(e.guid),
      published = date(e.published), updated = date(e.updated), author = orjnull(e.author_text),
      summary = orjnull(as_written(e.summary, e.summary_type)
        or (copies_to_summary[e.content_type] and as_written(e.content, e.content_type))),
      content = orjnull(as_written(e.content, e.content_type)),
      content_type = orjnull(e.content_type), enclosures = enc, tags = tags,
    }
  end
  return out
end

return M
