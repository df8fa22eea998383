--- orrery parse: one document, read as orrery reads feeds, printed.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'parse',
  summary = 'parse one feed document (file or URL) and print it',
  args = 'FILE|URL',
  nargs = { 1, 1 },
  description = [[Parse one feed document and print its entries, with the notes of what the feed
model dropped (URLs that are no web address).  --json prints the schema of the conformance
corpus (feedparser's field names), with the id orrery stores each entry by (store_id).
Exit 0 when the document is a feed (also an ill-formed one that could be read); exit 1 with
one line on stderr when it is none: empty, an HTML page (with the feeds it announces), a
sitemap, JSON that is no JSON Feed.]],
}
M.options = {
  common.opt.json,
  { long = '--no-sanitize', key = 'no_sanitize',
    help = 'keep the HTML of entries as the feed wrote it (for debugging)' },
  { long = '--base', arg = 'URL', key = 'base',
    help = 'read FILE as if fetched from URL: relative links resolve against it, as in a refresh' },
}

--- A feed as text: its format, title, link and each entry with its date and link.
function M.summary_text(feed)
  local out = {}
  local function add(...) out[#out + 1] = string.format(...) end
  add('format:  %s%s', feed.format, feed.bozo and ('  (ill-formed: ' .. (feed.bozo_message or '') .. ')') or '')
  add('title:   %s', feed.title or '-')
  add('link:    %s', feed.link or '-')
  if feed.notes then add('notes:   %s', feed.notes:gsub('\n', '\n         ')) end
  add('entries: %d', #feed.entries)
  for i, e in ipairs(feed.entries) do
    local d = e.published or e.updated
    add('%3d. %s  %s', i, d and os.date('!%Y-%m-%d %H:%M', d) or '????-??-?? ??:??', e.title or '(untitled)')
    add('     %s', e.link or e.guid)
    if e.notes then add('     note: %s', e.notes:gsub('\n', '\n     note: ')) end
  end
  return table.concat(out, '\n')
end

function M.run(opts, operands)
  local src = operands[1]
  local body, url, ctype = common.read_source(src, require('orrery.config').defaults)
  if not body then log.error('%s', url) return common.FAIL end
  if url and url:match('^file:') then url = nil end     -- a local file: relative links stay relative
  if opts.base then
    -- a saved copy of a feed, read as the refresh reads it from where it lives: the base
    -- through the URL policy the refresh puts it through (no user:password@ in it)
    local base, why = require('orrery._feed').url(opts.base)
    if not base or not base:match('^%a+://') then
      log.error('--base: %s is not an http(s) URL%s', opts.base, why and (': ' .. why) or '')
      return common.USAGE
    end
    url = base
  end
  local parse = require('orrery.parse')
  local feed, err, links = parse.feed(body, { url = url, content_type = ctype, sanitize = not opts.no_sanitize,
    title_html = opts.json, keep_duplicates = opts.json })
  -- (the conformance JSON is printed for what is not a feed too: feedparser's corpus has such cases)
  if opts.json then io.write(require('orrery.json').encode(parse.conformance(feed, err), ' '), '\n') end
  if not feed then
    if err:find('HTML page', 1, true) and not (links and #links > 0) then
      err = err .. ' that links to no feed: a recipe with a scrape hook can turn it into entries'
        .. ' (docs/recipes.md, "Sites without a feed"; try one with: orrery try --recipe NAME ' .. src .. ')'
    end
    log.error('%s: %s', src, err)
    return common.FAIL
  end
  if not opts.json then print(M.summary_text(feed)) end
  return common.OK
end

return M
