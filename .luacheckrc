std = 'lua54'
max_line_length = 120
-- (recordings are data orrery record wrote: one line per URL)
exclude_files = { 'tests/tmp/**', '**/fixtures/**/manifest.lua' }
read_globals = { 'ORRERY_HOME' }

-- recipes run in orrery.sandbox, which provides these
files['recipes/**'] = { read_globals = { 'html', 'trim', 'date', 'log' } }
files['examples/*/recipes/**'] = { read_globals = { 'html', 'trim', 'date', 'log' } }
files['tests/**'] = { std = '+busted', max_line_length = false }
files['examples/*/planet.lua'] = { max_line_length = false }
