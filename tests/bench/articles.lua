-- make articles: orrery's full-article extraction on ../shared/articles (91 real pages with
-- human-marked article text), scored by the corpus's own scorer, with the CPU per page.
-- Usage: orrery lua tests/bench/articles.lua [CORPUS_DIR] [OUT.json]
-- Prints the score line next to the published extractors' figures on the same pages.
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

local predictions, times, empty = {}, {}, {}
for _, k in ipairs(keys) do
  local p = io.popen('gzip -dc ' .. dir .. '/html/' .. k .. '.html.gz')
  local body = p:read('a')
  p:close()
  local c0 = cutil.cpu('thread')
  local html, err = article.extract(body, truth[k].url, nil, {}, cfg, nil)
  local text = html and chtml.text(html) or ''
  times[#times + 1] = (cutil.cpu('thread') - c0) * 1000
  if not html then empty[#empty + 1] = k .. ': ' .. tostring(err) end
  predictions[k] = { articleBody = text }
end
assert(cfs.write(out_path, json.encode(predictions)))
table.sort(times)
local median = times[(#times + 1) // 2]
local total = 0
for _, t in ipairs(times) do total = total + t end
local p = io.popen(string.format('python3 %s/score %s', dir, out_path))
local score = p:read('a')
p:close()
print(string.format('orrery Doc:article(): %s', (score:gsub('%s+$', ''):gsub('\n', '; '))))
print(string.format('CPU per page: median %.1f ms, mean %.1f ms, slowest %.1f ms (%d pages; %d without an article)',
  median, total / #times, times[#times], #times, #empty))
for _, e in ipairs(empty) do print('  no article: ' .. e) end
print('published on the same pages (README of the corpus): rs-trafilatura 0.969, go-trafilatura 0.965,'
  .. ' trafilatura 0.963, readability.js 0.950, newspaper 0.950, go-readability 0.936')
