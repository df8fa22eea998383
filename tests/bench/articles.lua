-- make articles: orrery's full-article extraction on ../shared/articles (91 real pages with
-- human-marked article text), scored by the corpus's own scorer, with the CPU per page.
-- Usage: orrery lua tests/bench/articles.lua [CORPUS_DIR] [OUT.json]
-- Two figures: the extractor (page -> Doc:article -> sanitize -> text), comparable to the
-- published extractors on the same pages; and what a feed stores (article.extract: the
-- same, and a teaser behind a paywall refused), which differs where a paywall shows a teaser.
local article = require('orrery.article')
local cfs = require('orrery._fs')
local chtml = require('orrery._html')
local cutil = require('orrery._util')
local json = require('orrery.json')

local dir = arg[1] or (ORRERY_HOME .. '/../shared/articles')
local out_path = arg[2] or (ORRERY_HOME .. '/build/articles.json')
local truth = assert(json.decode(assert(cfs.read(dir .. '/ground-truth.json'))))
local cfg = require('orrery.config').defaults

local keys = {}
for k in pairs(truth) do keys[#keys + 1] = k end
table.sort(keys)

local extracted, stored, times, refused = {}, {}, {}, {}
for _, k in ipairs(keys) do
  local p = assert(io.popen('gzip -dc ' .. dir .. '/html/' .. k .. '.html.gz'))
  local body = p:read('a')
  p:close()
  local c0 = cutil.cpu('thread')
  local html, err = article.extract(body, truth[k].url, nil, {}, cfg, nil, 'text/html')
  times[#times + 1] = (cutil.cpu('thread') - c0) * 1000
  stored[k] = { articleBody = html and chtml.text(html) or '' }
  if not html then
    refused[#refused + 1] = k .. ': ' .. tostring(err)
    -- the extractor's own result, without the policy that refused it
    local raw = chtml.parse(body, truth[k].url, ''):article()
    extracted[k] = { articleBody = raw and chtml.text(chtml.sanitize(raw, truth[k].url)) or '' }
  else
    extracted[k] = stored[k]
  end
end

local function score(predictions, path)
  assert(cfs.write(path, json.encode(predictions)))
  local p = assert(io.popen(string.format('python3 %s/score %s', dir, path)))
  local line = p:read('a'):gsub('%s+$', ''):gsub('\n', '; ')
  p:close()
  return line
end

table.sort(times)
local total = 0
for _, t in ipairs(times) do total = total + t end
print('orrery extractor (Doc:article): ' .. score(extracted, out_path))
print('orrery stored (with the paywall rule): ' .. score(stored, out_path:gsub('%.json$', '') .. '-stored.json'))
print(string.format('CPU per page (parse, extract, sanitize): median %.1f ms, mean %.1f ms, slowest %.1f ms (%d pages)',
  times[(#times + 1) // 2], total / #times, times[#times], #times))
for _, e in ipairs(refused) do print('  not stored: ' .. e) end
print('published on the same pages (../shared/articles/README.md): rs-trafilatura 0.969, go-trafilatura 0.965,'
  .. ' trafilatura 0.963, readability.js 0.950, newspaper 0.950, go-readability 0.936')
