-- htmltmpl, the template language of Planet 2.0 and Venus (.tmpl files).
local htmltmpl = require('orrery.htmltmpl')

local function render(src, vars, loader)
  return assert(htmltmpl.load(src, 't.tmpl', loader))(vars)
end

describe('orrery.htmltmpl', function()
  it('substitutes variables, raw or escaped', function()
    local vars = { name = 'Planet <Python>', link = 'http://x/?a=1&b="2"', n = 3 }
    assert.equals('Planet <Python>|http://x/?a=1&amp;b=&quot;2&quot;|3',
      render('<TMPL_VAR name>|<TMPL_VAR link ESCAPE="HTML">|<TMPL_VAR n>', vars))
    assert.equals('a%20b%2Fc', render('<TMPL_VAR q ESCAPE="URL">', { q = 'a b/c' }))
    assert.equals('Planet <Python>', render('<TMPL_VAR name ESCAPE=NONE>', vars))
    assert.equals('[]', render('[<TMPL_VAR missing>]', vars))
    assert.equals('x', render('<!-- TMPL_VAR v -->', { v = 'x' }))
    assert.equals('x', render('<TMPL_VAR NAME="v">', { v = 'x' }))
  end)

  it('branches with TMPL_IF, TMPL_UNLESS and TMPL_ELSE, with Python\'s idea of truth', function()
    local t = '<TMPL_IF v>yes<TMPL_ELSE>no</TMPL_IF>'
    assert.equals('yes', render(t, { v = 'a' }))
    assert.equals('yes', render(t, { v = { 1 } }))
    for _, v in ipairs({ '', 0, false, {} }) do assert.equals('no', render(t, { v = v })) end
    assert.equals('no', render(t, {}))
    assert.equals('no', render('<TMPL_UNLESS v>no</TMPL_UNLESS>', {}))
    assert.equals('', render('<TMPL_UNLESS v>no</TMPL_UNLESS>', { v = 1 }))
    assert.equals('b', render('<TMPL_UNLESS v>a<TMPL_ELSE>b</TMPL_UNLESS>', { v = 1 }))
  end)

  it('loops, with loop-local names, GLOBAL and the magic names', function()
    local t = '<TMPL_LOOP Items><TMPL_VAR __PASS__>/<TMPL_VAR __PASSTOTAL__>:<TMPL_VAR title>'
      .. '<TMPL_IF __FIRST__>(first)</TMPL_IF><TMPL_IF __LAST__>(last)</TMPL_IF>'
      .. '[<TMPL_VAR name>|<TMPL_VAR name GLOBAL="1">] </TMPL_LOOP>'
    assert.equals('1/2:a(first)[|P] 2/2:b(last)[|P] ',
      render(t, { name = 'P', Items = { { title = 'a' }, { title = 'b' } } }))
    assert.equals('', render('<TMPL_LOOP Items>x</TMPL_LOOP>', {}))
    -- nested loops
    assert.equals('a1a2b1', render('<TMPL_LOOP o><TMPL_LOOP i><TMPL_VAR n GLOBAL="1"><TMPL_VAR v></TMPL_LOOP></TMPL_LOOP>',
      { o = { { n = 'a', i = { { v = 1 }, { v = 2 } } }, { n = 'b', i = { { v = 1 } } } } }))
  end)

  it('drops ### comment lines with their line ends', function()
    assert.equals('a\nb\n', render('a\n### a comment\n   ### indented\nb\n', {}))
    assert.equals('b', render('### first\nb', {}))
  end)

  it('includes files relative to the template', function()
    local asked
    local function loader(path)
      asked = path
      return '<TMPL_VAR x>!'
    end
    assert.equals('[1!]', assert(htmltmpl.load('[<TMPL_INCLUDE "inc.tmpl">]', 'dir/t.tmpl', loader))({ x = 1 }))
    assert.equals('dir/inc.tmpl', asked)
  end)

  it('reports a template it cannot read with its name and line', function()
    local f, err = htmltmpl.load('a\n<TMPL_IF x>\nb\n', 'index.html.tmpl')
    assert.is_nil(f)
    assert.equals('index.html.tmpl:2: <TMPL_IF x> is not closed', err)
    f, err = htmltmpl.load('a\n\n<TMPL_LOOP x></TMPL_IF>', 'i.tmpl')
    assert.is_nil(f)
    assert.equals('i.tmpl:3: </TMPL_IF> closes <TMPL_LOOP>', err)
    local _, err2 = htmltmpl.load('<TMPL_ELSE>', 'i.tmpl')
    assert.matches('i.tmpl:1: TMPL_ELSE outside', err2)
    local _, err3 = htmltmpl.load('<TMPL_FOO x>', 'i.tmpl')
    assert.matches('unknown statement TMPL_FOO', err3)
  end)

  it('compiles all seven of Planet Python\'s templates', function()
    local dir = require('helper').root .. '/../shared/planetpython/config'
    local fs = require('orrery._fs')
    local names = fs.list(dir)
    if not names then return pending('no ../shared/planetpython') end
    local n = 0
    for _, name in ipairs(names) do
      if name:match('%.tmpl$') then
        assert(htmltmpl.load(assert(fs.read(dir .. '/' .. name)), name, fs.read))
        n = n + 1
      end
    end
    assert.equals(7, n)
  end)
end)
