-- The example planet shipped with orrery: nine feeds (RSS 2.0 and Atom) and three sites
-- without a feed, all read from files next to this one, so `make demo` needs no network.
-- Paths are relative to this file.  See README.md for every key.
--
-- Recipes at work: strip-trailer (cleans each entry), only-tagged (keeps the Python posts
-- of a general blog), quill-journal (a category page scraped into entries), lin-codes (an
-- index of teasers: each post's page is fetched for the full article) and cobalt-changelog
-- (a release per section of one page).
return {
  name = 'Planet Orrery Example',
  link = 'https://planet.example.org/',
  description = 'What the Python community writes, gathered every hour.',
  owner = { name = 'The Example Planet Team', email = 'planet@example.org' },
  output_dir = '../../out',
  database = '../../out/planet.db',
  layout = 'default',
  items_per_page = 40,
  -- the sites without a feed live at these addresses; the demo reads saved copies of them
  mirror = {
    ['https://lin-codes.example.org/'] = 'sites/lin-codes/',
    ['https://cobalt.example.org/'] = 'sites/cobalt/',
  },
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
    { url = 'https://lin-codes.example.org/', name = 'Lin Codes', recipe = 'lin-codes' },
    { url = 'https://cobalt.example.org/docs/changelog.html', name = 'Cobalt releases', recipe = 'cobalt-changelog',
      link = 'https://cobalt.example.org/' },
  },
}
