std = 'lua54'
max_line_length = 120
exclude_files = { 'tests/tmp/**' }
read_globals = { 'ORRERY_HOME' }

-- recipes run in orrery.sandbox, which provides these
files['recipes/**'] = { read_globals = { 'html', 'trim', 'date', 'log' } }
files['examples/*/recipes/**'] = { read_globals = { 'html', 'trim', 'date', 'log' } }
files['tests/**'] = { std = '+busted', max_line_length = false }
files['examples/*/planet.lua'] = { max_line_length = false }
