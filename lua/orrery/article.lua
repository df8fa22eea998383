--- orrery.article: full articles for feeds that give only a teaser.
---
--- A feed with `full_article = true` gets, for each entry that looks truncated, the page
--- its link points to, with the article found in it (a recipe's `article` hook, else
--- readability scoring in C: Doc:article()).  `full_article = 'always'` does it for every
--- entry.  A recipe may set `full_article` itself (a scraped index page lists teasers).
---
--- Each page is fetched once: the result is cached in the `articles` table by URL, and
--- applied to the entry whenever the feed is stored again.  A page that fails (HTTP error,
--- no article in it) is tried again on later runs, `article_retries` times in all; a run
--- fetches at most `article_limit` pages, newest entries first, so a new feed with a long
--- history fills in over several runs instead of hammering its site.
local chtml = require('orrery._html')
local fetch = require('orrery.fetch')
local heldback = require('orrery.heldback')
local recipe = require('orrery.recipe')

local M = {}

-- Endings that say "there is more on the site" (patterns, compared with the text's end in
-- lower case: ASCII letters only, so the words of other scripts are listed as written),
-- in the languages blogs are written in: WordPress's, Blogger's and the CMSs' own words.
local more_marks = {
  '…', '%.%.%.', '%[…%]', '%[%.%.%.%]', '%(more%.%.%.%)',   -- (the first five: not words; see more_mark)
  'read more', 'continue reading', 'read the rest', 'keep reading', 'read the full', 'full article', 'full post',
  'weiterlesen', 'mehr lesen', 'lire la suite', 'lire plus', 'leer más', 'seguir leyendo', 'sigue leyendo',
  'continua a leggere', 'continua la lettura', 'leggi tutto', 'leggi di più', 'leia mais', 'continue lendo',
  'continuar a ler', 'ler mais', 'lees meer', 'lees verder', 'verder lezen', 'czytaj dalej', 'czytaj więcej',
  'läs mer', 'fortsätt läsa', 'les mer', 'les videre', 'læs mere', 'læs videre', 'lue lisää', 'jatka lukemista',
  'číst dál', 'číst více', 'čítať ďalej', 'devamını oku', 'tovább olvasom', 'bővebben', 'citește mai mult',
  'citeste mai mult', 'baca selengkapnya', 'đọc thêm', 'đọc tiếp',
  'Читать далее', 'читать далее', 'Читать дальше', 'читать дальше', 'Читать полностью', 'Подробнее', 'Читати далі',
  'Διαβάστε περισσότερα', 'اقرأ المزيد', 'إقرأ المزيد', 'קרא עוד', 'להמשך קריאה', 'और पढ़ें',
  '続きを読む', '続きを見る', 'もっと読む', '阅读全文', '閱讀全文', '阅读更多', '閱讀更多', '继续阅读', '繼續閱讀', '더 보기',
  '더보기', '계속 읽기',
}

--- How much text a reader gets: its characters, those of the scripts written in syllables
--- or ideographs (Chinese, Japanese, Korean: U+3000 to U+D7FF, and their full-width
--- punctuation, U+FF00 to U+FF7F) counting two, as one of them says about as much as two
--- letters of an alphabet.  With characters alone, a Chinese news brief of 170 characters
--- was "no article", and a full post of 400 a teaser.
---@param text string valid UTF-8
---@return integer
function M.text_weight(text)
  local wide = select(2, text:gsub('[\227-\237][\128-\191][\128-\191]', '%0'))
    + select(2, text:gsub('\239[\188\189][\128-\191]', '%0'))   -- and their full-width punctuation
  return (utf8.len(text) or #text) + wide
end

-- The "there is more" mark text ends with ("read more", "…"), or nil; with words set,
-- only a mark in words (an ellipsis may end a whole short post).  text: white space runs
-- made one space.
local function more_mark(text, words)
  local tail = text:gsub(' $', ''):sub(-80):lower()
  for i = words and 6 or 1, #more_marks do
    local at = tail:find(more_marks[i] .. '%W*$')
    if at then return (tail:sub(at):gsub('%s+$', '')) end
  end
  return nil
end

local host_of

-- Does an article found in a page end by sending the reader to another site for the rest
-- ("Continue reading at <a href=other site>The Partner Times</a>.", "Lire la suite sur Le
-- Monde »"): its last link, in its last few hundred bytes, to another host, and "there is
-- more" words in its last sentence or two?  The words, or nil.
local function sends_on(clean, text, url)
  local last
  for href in clean:sub(-400):gmatch('<a [^>]-href="([^"]*)"') do last = href end
  local there, here = host_of(last), host_of(url)
  if not there or there == here then return nil end
  local tail = text:gsub(' $', ''):sub(-120):lower()
  for i = 6, #more_marks do
    local at = tail:find(more_marks[i])
    if at then return (tail:sub(at):gsub('%s+$', '')) end
  end
  return nil
end

--- Does this entry look like a teaser of a longer article?  No content of its own, or
--- short text, or text ending in "…" / "Read more".
---@param e table entry (summary, content: sanitized HTML)
---@param min_chars integer|nil text shorter than this is a teaser (default 500)
function M.is_teaser(e, min_chars)
  local body = e.content or e.summary
  if not body or body == '' then return true end
  local text = chtml.text(body):gsub('%s+', ' '):gsub('^ ', ''):gsub(' $', '')
  if M.text_weight(text) < (min_chars or 500) then return true end
  return more_mark(text) ~= nil
end

--- The mode a feed asks for: false, 'teaser' or 'always'.
function M.mode(fc, r)
  local v = fc.full_article
  if v == nil and r then v = r.full_article end
  if v == 'always' then return 'always' end
  return v and 'teaser' or false
end

--- Text shorter than this is judged by orrery.heldback: behind a paywall it is the teaser,
--- and it may be what a server put in the article's place.
M.PAYWALL_TEASER = 1500

--- The article in a fetched page, sanitized.  Returns html, nil, how ({ method = who found
--- it, chars = its length in characters }) or nil, err.
---@param body string the page
---@param url string where it came from (base of relative links)
---@param r table|nil recipe, whose `article(doc, entry, ctx)` hook may find the body
---@param entry table the entry the page belongs to (given to the hook)
---@param cfg table planet config (budgets, article_min_chars)
---@param ctx table|nil the recipe's ctx
---@param content_type string|nil the page's Content-Type (its charset, if it names one)
function M.extract(body, url, r, entry, cfg, ctx, content_type)
  -- in the page's own encoding (BOM, HTTP charset, <meta>, else UTF-8 or windows-1252)
  local doc = chtml.parse(body, url, require('orrery.parse').charset(content_type) or '')
  local found
  if r and r.article then
    local ok, res = recipe.call(r, 'article', { instructions = cfg.recipe_budget, memory = cfg.recipe_memory },
      doc, entry, ctx or { url = url, options = {} })
    if not ok then doc:close() return nil, res end
    if type(res) == 'userdata' then res = res:html() end
    if res ~= nil and type(res) ~= 'string' then
      doc:close()
      return nil, r.path .. ': article() must return html, a node or nil'
    end
    found = res
  end
  local method = found and ('the recipe ' .. (r.name or r.path or '?') .. "'s article()") or 'readability scoring'
  -- the recipe found nothing (or there is none): readability scoring
  found = found or doc:article()
  doc:close()
  if not found then return nil, 'no article found in the page' end
  local clean = chtml.sanitize(found, url)
  local text = chtml.text(clean):gsub('%s+', ' ')
  local chars, weight = utf8.len(text) or 0, M.text_weight(text)
  if weight < cfg.article_min_chars then
    return nil, string.format('no article found in the page (%d characters of text)', chars)
  end
  if weight < M.PAYWALL_TEASER and not (r and r.article) then
    local why = heldback.stand_in(text, body)
    if why then return nil, 'no article: ' .. why end
    why = heldback.paywalled(body)
    if why then return nil, string.format('no article: %s, and only %d characters are shown', why, chars) end
    -- a page that is itself a teaser: a syndicated excerpt sending the reader on to the
    -- partner site that has the article ("Continue reading at ..."), a list's blurb
    local mark = more_mark(text, true) or sends_on(clean, text, url)
    if mark then
      return nil, string.format('no article: the page shows a teaser too (%d characters, ending "%s")', chars, mark)
    end
  end
  return clean, nil, { method = method, chars = chars }
end

--- What became of an entry's article page, in words (a row of store:article_states).
function M.state_text(a)
  if a.fetched == nil then
    if not a.link then return 'no link' end
    return M.is_teaser(a) and 'not fetched yet' or 'not fetched: the feed gives the whole text'
  end
  if a.found == 1 or a.found == true then
    return string.format('%s characters, found by %s', a.chars or '?', a.method or 'readability scoring')
  end
  return string.format('%s (tried %d time%s)', a.error or ('HTTP ' .. tostring(a.status)), a.tries or 1,
    (a.tries or 1) == 1 and '' or 's')
end

--- Put an article into an entry: the article is its content, what the feed gave becomes
--- its summary.  Applied the same way at every refresh, so a stored entry stays unchanged.
function M.merge(e, html)
  if e.summary == nil or e.summary == '' then e.summary = e.content end
  e.content = html
  e.content_type = 'html'
  return e
end

--- Apply cached articles to the entries of a freshly built feed (before it is stored).
---@param st table store
function M.apply(st, fc, feed, r)
  if not M.mode(fc, r) then return end
  for _, e in ipairs(feed.entries) do
    if e.link then
      local a = st:article(e.link)
      if a and a.content then M.merge(e, a.content) end
    end
  end
end

-- The host of a URL, lower case, without "www." and port; nil for none.
function host_of(url)
  local h = type(url) == 'string' and url:match('^%a[%w+.-]*://([^/?#]+)')
  if not h then return nil end
  h = h:gsub('^.*@', ''):gsub(':%d+$', ''):lower():gsub('^www%.', '')
  return h
end

-- The feed's own site: its configured URL, its site link, where it is fetched from now
-- (after a permanent redirect), the recipe's options.site.
local function own_urls(fc, row)
  local site = fc.options and fc.options.site
  return { fc.url, fc.link, row and row.fetch_url, type(site) == 'string' and site or nil }
end

--- Is this link on the feed's own site (a host of own_urls, or a subdomain of one)?
function M.same_site(link, fc, row)
  local h = host_of(link)
  if not h then return false end
  for _, u in pairs(own_urls(fc, row)) do
    local a = u and host_of(u)
    if a and (a == h or h:sub(-#a - 1) == '.' .. a) then return true end
  end
  return false
end

--- May an entry of this feed have its link fetched?  With article_hosts = 'any' (the
--- default), a web address on any host: the fetch itself then refuses every private
--- address (loopback, private, link-local, unique-local ranges, checked on the address
--- reached, after DNS and every redirect) except on the feed's own hosts.  With 'same', only
--- links on the feed's own site.  Never a local file or anything but http(s).
function M.may_fetch(cfg, link, fc, row)
  if type(link) ~= 'string' or not link:match('^[Hh][Tt][Tt][Pp][Ss]?://') then return false end
  if cfg.article_hosts == 'same' then return M.same_site(link, fc, row) end
  return true
end

--- The guard of an article request (see orrery._fetch): the feed's own URLs, the only
--- hosts where a private address may be reached.
function M.guard(fc, row)
  local out = {}
  for _, u in pairs(own_urls(fc, row)) do
    if u and u:match('^[Hh][Tt][Tt][Pp][Ss]?://') then out[#out + 1] = u end
  end
  return table.concat(out, ' ')
end

--- The article pages to fetch in this run: entries of full_article feeds without a cached
--- article (or whose earlier tries failed, fewer than article_retries), newest first.
local function wanted(cfg, st)
  local out, seen = {}, {}
  for _, fc in ipairs(cfg.feeds) do
    local r
    if fc.recipe then
      local ok, loaded = pcall(recipe.load, fc.recipe, recipe.dirs(cfg))
      r = ok and loaded or nil
    end
    local mode = fc.enabled and M.mode(fc, r)
    if mode then
      local row = st:feed(fc.url, fc.name)
      for _, e in ipairs(st:articles_missing(row.id, cfg.article_retries, cfg.article_limit)) do
        if not seen[e.link] and (mode == 'always' or M.is_teaser(e)) and M.may_fetch(cfg, e.link, fc, row) then
          seen[e.link] = true
          out[#out + 1] = { url = e.link, fc = fc, r = r, entry = e, feed_id = row.id, date = e.date,
            guard = M.guard(fc, row) }
        end
      end
    end
  end
  table.sort(out, function(a, b) return a.date > b.date end)
  for i = cfg.article_limit + 1, #out do out[i] = nil end
  return out
end

--- Fetch the missing articles, extract and cache them, and update their entries.
--- Returns { fetched =, stored =, failed =, errors = { {url, err} } }; cpu (may be nil) gets the
--- CPU of the fetch threads added (see orrery.fetch.each).
function M.refresh(cfg, st, now, cpu)
  local reqs = wanted(cfg, st)
  local sum = { fetched = 0, stored = 0, failed = 0, errors = {} }
  if #reqs == 0 then return sum end
  for res in fetch.each(reqs, cfg, cpu) do
    local q = res.req
    local html, err, how
    local away = not res.err and heldback.redirected(q.url, res.final_url)
    sum.fetched = sum.fetched + 1
    if res.err then
      err = res.err
    elseif res.status < 200 or res.status > 299 then
      local turned = heldback.turned_away(res.body, res.content_type)       -- (a bot check: say so)
      err = 'HTTP ' .. res.status .. (turned and ': ' .. turned or '')
    elseif away then
      err = 'no article: ' .. away
    elseif res.content_type and not (res.content_type:lower():find('html', 1, true)
        or res.content_type:lower():find('^text/')) then
      -- a PDF, an image, a feed: there is no article to take out of it
      err = 'not an HTML page (' .. res.content_type:match('^[^;]*') .. ')'
    else
      local ctx = { url = res.final_url or q.url, name = q.fc.name, options = q.fc.options or {},
        html = require('orrery.sandbox').html }
      local ok, a, e2, h = pcall(M.extract, res.body, res.final_url or q.url, q.r, q.entry, cfg, ctx,
        res.content_type)
      if ok then html, err, how = a, e2, h else err = 'internal error: ' .. tostring(a) end
    end
    local ok, serr = st:transaction(function()
      st:save_article(q.url, now, res.status, html, err, how)
      if html then
        for _, row in ipairs(st:entries_linking(q.feed_id, q.url)) do st:rewrite_entry(M.merge(row, html)) end
      end
      return true
    end)
    if not ok then err = 'store: ' .. tostring(serr) html = nil end
    if html then
      sum.stored = sum.stored + 1
    else
      sum.failed = sum.failed + 1
      sum.errors[#sum.errors + 1] = { url = q.url, feed = q.fc.name, err = err }
    end
  end
  return sum
end

return M
