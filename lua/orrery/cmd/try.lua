--- orrery try: run a recipe on a feed or page now, storing nothing.
local common = require('orrery.cmd.common')
local log = require('orrery.log')

local M = {
  name = 'try',
  summary = 'run a recipe on a feed or page (file or URL) and show what it gives',
  args = 'FILE|URL',
  nargs = { 1, 1 },
  description = [[Fetch (or read) one feed or page, parse it, run the recipe, and print the entries it
gives and what the recipe changed, dropped or added.  Nothing is stored: the way to write a
recipe and see it work at once.  Recipes are looked up in the planet's recipes_dir (with -c,
or ./planet.lua if there is one), then orrery's.  With --article the document is an article
page: print the article orrery finds in it (the recipe's article hook, else readability
scoring), as a feed with full_article would show it.]],
}
local o = common.opt
M.options = { o.config, o.recipe, o.json,
  { long = '--article', key = 'article', help = 'the document is an article page: print the article found in it' } }

local function article(opts, cfg, src, res)
  local r, err
  if opts.recipe then
    local rec = require('orrery.recipe')
    r, err = rec.load(opts.recipe, rec.dirs(cfg))
    if not r then log.error('%s', err) return common.FAIL end
  end
  local away = require('orrery.heldback').redirected(src, res.url)
  if away then log.error('%s: no article: %s', src, away) return common.FAIL end
  local html, aerr = require('orrery.article').extract(res.body, res.url, r, {}, cfg, nil, res.content_type)
  if not html then log.error('%s: %s', src, aerr) return common.FAIL end
  local text = require('orrery._html').text(html):gsub('%s+', ' ')
  print(html)
  local by = r and r.article and ('the recipe ' .. r.name .. ' (or readability when it gave nothing)')
    or 'readability scoring'
  print(string.format('-- %d characters of text, found by %s', utf8.len(text) or #text, by))
  return common.OK
end

function M.run(opts, operands)
  local cfg, err = common.optional_config(opts)
  if not cfg then log.error('%s', err) return common.CONFIG end
  local src = operands[1]
  local res = {}
  res.body, res.url, res.content_type = common.read_source(src, cfg)
  if not res.body then log.error('%s', res.url) return common.FAIL end
  res.final_url = res.url
  if opts.article then return article(opts, cfg, src, res) end
  local planet = require('orrery.planet')
  local util = require('orrery.util')
  local fc = { url = src, name = src, options = {} }
  for _, f in ipairs(cfg.feeds) do
    if f.url == src or f.url == res.url then fc = f end
  end
  local with = util.copy(fc)
  with.recipe = opts.recipe or fc.recipe
  local plain = util.copy(fc)
  plain.recipe = nil
  local a, aerr = planet.build(plain, res.body, res, cfg)
  local b, berr = planet.build(with, res.body, res, cfg)
  if not b then log.error('%s: %s', src, berr) return common.FAIL end
  if opts.json then
    io.write(require('orrery.json').encode({ feed = b, recipe = with.recipe }), '\n')
    return common.OK
  end
  print(require('orrery.cmd.parse').summary_text(b))
  if with.recipe then
    print()
    if not a then print('without the recipe: ' .. tostring(aerr)) end
    print(tostring(require('orrery.repl').diff(a or { entries = {} }, b, with.recipe)))
  end
  return common.OK
end

return M
