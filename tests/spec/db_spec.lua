local cdb = require('orrery._db')

describe('orrery._db', function()
  local db
  before_each(function()
    db = assert(cdb.open(':memory:'))
    assert(db:exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL)'))
  end)
  after_each(function() db:close() end)

  it('runs statements with parameters and returns rows as tables', function()
    assert.equals(1, db:run('INSERT INTO t (name, score) VALUES (?, ?)', 'a', 1.5))
    assert.equals(1, db:run('INSERT INTO t (name, score) VALUES (?, ?)', 'b', nil))
    assert.equals(2, db:last_id())
    assert.same({ id = 1, name = 'a', score = 1.5 }, db:one('SELECT * FROM t WHERE name = ?', 'a'))
    assert.same({ id = 2, name = 'b' }, db:one('SELECT * FROM t WHERE id = ?', 2))
    local names = {}
    for row in db:rows('SELECT name FROM t ORDER BY id') do names[#names + 1] = row.name end
    assert.same({ 'a', 'b' }, names)
    assert.is_nil(db:one('SELECT * FROM t WHERE id = 99'))
  end)

  it('returns nil, err when a statement fails and raises on bad SQL', function()
    db:run('INSERT INTO t (name) VALUES (?)', 'a')
    local ok, err = db:run('INSERT INTO t (name) VALUES (?)', 'a')
    assert.is_nil(ok)
    assert.matches('UNIQUE', err)
    assert.has_error(function() db:run('SELEC nonsense') end)
    assert.has_error(function() db:run('SELECT ?', {}) end)
  end)

  it('lets a loop that breaks early release its statement', function()
    db:run('INSERT INTO t (name) VALUES (?)', 'a')
    db:run('INSERT INTO t (name) VALUES (?)', 'b')
    for _ in db:rows('SELECT * FROM t') do break end -- luacheck: ignore 512
    -- the loop's to-be-closed value finalized the statement; nothing holds the table
    assert.equals(1, db:run('DELETE FROM t WHERE name = ?', 'a'))
  end)

  it('raises on a closed handle and closes twice safely', function()
    db:close()
    db:close()
    assert.has_error(function() db:one('SELECT 1') end, 'attempt to use a closed db')
  end)

  it('reports a database that cannot be opened', function()
    local d, err = cdb.open('/nonexistent/dir/x.db')
    assert.is_nil(d)
    assert.matches('/nonexistent/dir/x.db', err)
  end)
end)
