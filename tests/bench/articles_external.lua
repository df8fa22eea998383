-- Full-article extraction on pages nobody tuned on: two public test sets, read from a
-- checkout of their projects (not shipped with orrery: third-party pages).
--
--   orrery lua tests/bench/articles_external.lua readability ~/src/readability
--     Mozilla readability's test pages (test/test-pages/*/source.html), scored against its
--     expected.html with ../shared/articles' metric (4-word shingles, F1).  The expected text
--     is readability.js's own output, so captions and titles count there.
--   orrery lua tests/bench/articles_external.lua trafilatura ~/src/trafilatura
--     trafilatura's evaluation set (tests/evaldata.json: phrases each page's article must and
--     must not hold; pages in tests/eval and tests/cache), scored as its evaluate.py does.
--
-- Add an output path as a third argument for the per-page results.  docs/recipes.md has the
-- figures.
local cfs = require('orrery._fs')
local chtml = require('orrery._html')
local json = require('orrery.json')

local which, dir, per_page = arg[1], arg[2], arg[3]
assert(which and dir, 'usage: articles_external.lua readability|trafilatura CHECKOUT [PER_PAGE_OUT]')

local function article_text(src, url)
  local ok, raw = pcall(function() return chtml.parse(src, url, ''):article() end)
  return ok and raw and chtml.text(chtml.sanitize(raw, url)) or ''
end

if which == 'readability' then
  local pages = dir .. '/test/test-pages'
  local truth, pred = {}, {}
  for _, k in ipairs(assert(cfs.list(pages), pages)) do
    local src, exp = cfs.read(pages .. '/' .. k .. '/source.html'), cfs.read(pages .. '/' .. k .. '/expected.html')
    if src and exp and exp ~= '' then
      truth[k] = { articleBody = chtml.text(exp) }
      pred[k] = { articleBody = article_text(src, 'http://fakehost/test/page.html') }
    end
  end
  -- the shared scorer reads ground-truth.json beside itself: a copy of it beside ours
  local tmp = os.tmpname()
  os.remove(tmp)
  assert(cfs.mkdirs(tmp))
  assert(cfs.write(tmp .. '/score', assert(cfs.read(ORRERY_HOME .. '/../shared/articles/score'))))
  assert(cfs.write(tmp .. '/ground-truth.json', json.encode(truth)))
  assert(cfs.write(tmp .. '/pred.json', json.encode(pred)))
  local p = assert(io.popen('python3 ' .. tmp .. '/score ' .. tmp .. '/pred.json' .. (per_page and ' --per-page' or '')))
  local out = p:read('a')
  p:close()
  if per_page then assert(cfs.write(per_page, out)) end
  print('readability test pages: ' .. out:match('pages=[^\n]*'))
  os.execute('rm -rf ' .. tmp)
elseif which == 'trafilatura' then
  local data = assert(json.decode(assert(cfs.read(dir .. '/tests/evaldata.json'))))
  local tp, fn, fp, tn, n, none, rows = 0, 0, 0, 0, 0, 0, {}
  -- white space as evaluate.py's norm() has it (Python's Unicode \s: no-break and thin spaces
  -- too), runs one space, trimmed
  local unicode_spaces = { '\194\133', '\194\160', '\225\154\128', '\226\128[\128-\138]', '\226\128[\168\169\175]',
    '\226\129\159', '\227\128\128' }
  local function squash(s)
    for _, u in ipairs(unicode_spaces) do s = s:gsub(u, ' ') end
    return (s:gsub('[%s\28-\31]+', ' '):gsub('^ ', ''):gsub(' $', ''))
  end
  for url, v in pairs(data) do
    local src = cfs.read(dir .. '/tests/eval/' .. v.file) or cfs.read(dir .. '/tests/cache/' .. v.file)
    if src then
      n = n + 1
      local text = squash(article_text(src, url))
      if text == '' then none = none + 1 end
      local a, b, c = 0, 0, 0
      for _, w in ipairs(v.with or {}) do
        if text:find(squash(w), 1, true) then tp, a = tp + 1, a + 1 else fn, b = fn + 1, b + 1 end
      end
      for _, w in ipairs(v.without or {}) do
        if text:find(squash(w), 1, true) then fp, c = fp + 1, c + 1 else tn = tn + 1 end
      end
      rows[#rows + 1] = string.format('%s with %d missing %d unwanted %d', v.file, a, b, c)
    end
  end
  local p, r = tp / (tp + fp), tp / (tp + fn)
  print(string.format('trafilatura evaluation set: pages %d (no article %d), TP %d FN %d FP %d TN %d: '
    .. 'precision %.3f recall %.3f F1 %.3f accuracy %.3f', n, none, tp, fn, fp, tn, p, r, 2 * p * r / (p + r),
    (tp + tn) / (tp + tn + fp + fn)))
  if per_page then
    table.sort(rows)
    assert(cfs.write(per_page, table.concat(rows, '\n') .. '\n'))
  end
else
  error('articles_external.lua: readability or trafilatura, not ' .. tostring(which))
end
