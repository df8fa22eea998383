-- The layering of src/, as a test: which unit uses which, through #include lines and through
-- calls of the functions another unit defines, and no circle among them.  A unit is a .c
-- file with its .h (src/feed.c + src/feed.h); src/api/ (the Lua bindings) is one unit.  And
-- the parsers' functions each fit on a screen (at most MAX_LINES lines).
--   ./orrery lua tests/lint/layers.lua [SRC_DIR]   prints the graph; exit 1 on a circle or
--                                                  a function too long
local cfs = require('orrery._fs')

local src = arg[1] or 'src'

local function unit_of(path)
  if path:match('^api/') then return 'api' end
  return (path:gsub('%.[ch]$', ''))
end

-- every file of src/, as unit -> { paths }
local files = {}
local function walk(dir, prefix)
  for _, name in ipairs(assert(cfs.list(dir))) do
    local st = cfs.stat(dir .. '/' .. name)
    if st.type == 'directory' then walk(dir .. '/' .. name, prefix .. name .. '/')
    elseif name:match('%.[ch]$') then files[#files + 1] = prefix .. name end
  end
end
walk(src, '')
table.sort(files)

-- code without comments and string literals (a name in either is no use of it)
local function code_of(text)
  text = text:gsub('/%*.-%*/', ' '):gsub('//[^\n]*', ' ')
  return (text:gsub('"[^"\n]*"', '""'))
end

local texts, defined = {}, {}
for _, f in ipairs(files) do
  texts[f] = assert(cfs.read(src .. '/' .. f))
  if f:match('%.c$') then
    -- a definition: at the start of a line, not static, name( ... ) then '{' (next line at worst)
    for line, rest in code_of(texts[f]):gmatch('\n([%a_][^\n;]*%f[%w_](orr_[%w_]+)%s*%([^;{]*)%{') do
      if not line:match('^static') then defined[rest] = unit_of(f) end
    end
  end
end

local uses = {}       -- unit -> { other unit -> why }
local function use(a, b, why)
  if a == b then return end
  uses[a] = uses[a] or {}
  uses[a][b] = uses[a][b] or why
end
for _, f in ipairs(files) do
  local u = unit_of(f)
  for inc in texts[f]:gmatch('#include%s+"([^"]+)"') do
    local target = inc:gsub('^%./', '')
    for _, g in ipairs(files) do
      if g == target or g:match('/' .. target:gsub('%p', '%%%0') .. '$') then use(u, unit_of(g), 'includes ' .. inc) end
    end
  end
  for name in code_of(texts[f]):gmatch('%f[%w_](orr_[%w_]+)%s*%(') do
    if defined[name] then use(u, defined[name], 'calls ' .. name) end
  end
  -- a function passed by name (a callback, an allocator) is a use too
  for name in code_of(texts[f]):gmatch('%f[%w_](orr_[%w_]+)%f[^%w_(]') do
    if defined[name] then use(u, defined[name], 'refers to ' .. name) end
  end
end

-- circles: Tarjan's strongly connected components
local units = {}
for _, f in ipairs(files) do units[unit_of(f)] = true end
local order = {}
for u in pairs(units) do order[#order + 1] = u end
table.sort(order)
local index, low, on, stack, n, circles = {}, {}, {}, {}, 0, {}
local function strong(v)
  n = n + 1
  index[v], low[v] = n, n
  stack[#stack + 1] = v
  on[v] = true
  local next_ = {}
  for w in pairs(uses[v] or {}) do next_[#next_ + 1] = w end
  table.sort(next_)
  for _, w in ipairs(next_) do
    if not index[w] then strong(w) low[v] = math.min(low[v], low[w])
    elseif on[w] then low[v] = math.min(low[v], index[w]) end
  end
  if low[v] == index[v] then
    local comp = {}
    repeat
      local w = table.remove(stack)
      on[w] = false
      comp[#comp + 1] = w
    until w == v
    if #comp > 1 then table.sort(comp) circles[#circles + 1] = comp end
  end
end
for _, u in ipairs(order) do if not index[u] then strong(u) end end

for _, u in ipairs(order) do
  local to = {}
  for w in pairs(uses[u] or {}) do to[#to + 1] = w end
  table.sort(to)
  print(string.format('%-10s -> %s', u, #to > 0 and table.concat(to, ' ') or '(nothing of ours)'))
end
for _, comp in ipairs(circles) do
  print('circle: ' .. table.concat(comp, ' <-> '))
  for _, a in ipairs(comp) do
    for _, b in ipairs(comp) do
      if uses[a] and uses[a][b] then print(string.format('  %s -> %s: %s', a, b, uses[a][b])) end
    end
  end
end
-- the parsers: feed documents, their bytes, the model, URLs, HTML
local MAX_LINES = 80
local parsers = { 'feed.c', 'jsonfeed.c', 'xmlinput.c', 'entry.c', 'url.c', 'html.c', 'htmltok.c' }
local long = 0
for _, f in ipairs(parsers) do
  local start, name, ln = nil, nil, 0
  for line in (texts[f] or ''):gmatch('([^\n]*)\n') do
    ln = ln + 1
    if not start and line:match('^[%a_][%w_ *]*%f[%w_]([%a_][%w_]*)%(.*%)%s*{$') then
      start, name = ln, line:match('%f[%w_]([%a_][%w_]*)%(')
    elseif start and line == '}' then
      if ln - start > MAX_LINES then
        print(string.format('%s: %s is %d lines (at most %d)', f, name, ln - start, MAX_LINES))
        long = long + 1
      end
      start = nil
    end
  end
end
os.exit((#circles == 0 and long == 0) and 0 or 1)
