local fs = require('orrery._fs')
local helper = require('helper')

describe('orrery._fs', function()
  it('writes atomically, reads back, lists and stats', function()
    local dir = helper.tmpdir()
    assert(fs.mkdirs(dir .. '/a/b'))
    assert(fs.write(dir .. '/a/b/f.txt', 'one'))
    assert(fs.write(dir .. '/a/b/f.txt', 'two'))
    assert.equals('two', fs.read(dir .. '/a/b/f.txt'))
    assert.same({ 'f.txt' }, fs.list(dir .. '/a/b'))
    local st = fs.stat(dir .. '/a/b/f.txt')
    assert.equals('file', st.type)
    assert.equals(3, st.size)
    assert.equals('directory', fs.stat(dir .. '/a').type)
  end)

  it('reads a large file whole, and tells whether a file holds exactly some data', function()
    local dir = helper.tmpdir()
    local big = {}
    for i = 1, 40000 do big[i] = string.format('%07d line of a large page\n', i) end
    big = table.concat(big)                      -- about 1.3 MB: many read chunks
    assert(fs.write(dir .. '/big', big))
    assert.equals(big, fs.read(dir .. '/big'))
    assert(fs.write(dir .. '/empty', ''))
    assert.equals('', fs.read(dir .. '/empty'))
    assert.is_true(fs.same(dir .. '/big', big))
    assert.is_false(fs.same(dir .. '/big', big:sub(1, -2) .. 'X'))   -- the last byte differs
    assert.is_false(fs.same(dir .. '/big', 'X' .. big:sub(2)))       -- the first
    assert.is_false(fs.same(dir .. '/big', big .. 'more'))
    assert.is_false(fs.same(dir .. '/big', big:sub(1, 65536)))
    assert.is_true(fs.same(dir .. '/empty', ''))
    assert.is_false(fs.same(dir .. '/missing', ''))
    assert.is_false(fs.same(dir, ''))                                 -- a directory
  end)

  it('returns nil, err naming the path', function()
    local d, err = fs.read('/nonexistent/file')
    assert.is_nil(d)
    assert.matches('/nonexistent/file: No such file', err)
    d, err = fs.write('/nonexistent/dir/file', 'x')
    assert.is_nil(d)
    assert.matches('/nonexistent/dir/file', err)
  end)
end)
