-- The example planet shipped with orrery: nine feeds (RSS 2.0 and Atom) and one site
-- without a feed, all read from files next to this one, so `make demo` needs no network.
-- Paths are relative to this file.  See README.md for every key.
return {
  name = 'Planet Orrery Example',
  link = 'https://planet.example.org/',
  description = 'What the Python community writes, gathered every hour.',
  owner = { name = 'The Example Planet Team', email = 'planet@example.org' },
  output_dir = '../../out',
  database = '../../out/planet.db',
  layout = 'default',
  items_per_page = 40,
  feeds = {
    { url = 'feeds/teapot-notes.rss', name = 'Teapot Notes', link = 'https://teapot-notes.example.org/',
      recipe = 'strip-trailer' },
    { url = 'feeds/cobalt-engineering.atom', name = 'Cobalt Engineering' },
    { url = 'feeds/pixel-and-python.rss', name = 'Marta Okafor' },
    { url = 'feeds/the-weekly-interpreter.atom', name = 'The Weekly Interpreter' },
    { url = 'feeds/data-dojo.rss', name = 'Data Dojo', recipe = 'only-tagged',
      options = { tags = { 'python' } } },
    { url = 'feeds/small-servers.atom', name = 'Priya Raman' },
    { url = 'feeds/testing-grounds.rss', name = 'Testing Grounds' },
    { url = 'feeds/async-alley.atom', name = 'Async Alley' },
    { url = 'feeds/core-dev-diary.rss', name = 'Core Dev Diary' },
    { url = 'feeds/quill-journal.html', name = 'Quill Journal', recipe = 'quill-journal',
      link = 'https://quill-journal.example.org/', options = { site = 'https://quill-journal.example.org/' } },
  },
}
