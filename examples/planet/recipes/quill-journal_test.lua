-- The recipe quill-journal on its recording (orrery record); orrery test runs it.
-- Written from what the recipe gave when it was recorded: edit it to say what must stay true.
return {
  recipe = "quill-journal",
  fixtures = "fixtures/quill-journal",
  options = { site = "https://quill-journal.example.org/" },
  tests = {
    ['gives 3 entries'] = function(feed, t) t.equal(#feed.entries, 3) end,
    ['leaves the sponsored post out, and dates each entry'] = function(feed, t)
      for _, e in ipairs(feed.entries) do
        t.no_match(e.title, '[Ss]ponsored', e.title)
        t.ok(e.published, e.title .. ': a date')
      end
    end,
    ['every entry has a title and a link'] = function(feed, t) t.complete(feed) end,
    ['the newest is Why Polars is the right DataFrame...'] = function(feed, t)
      t.equal(feed.entries[1].title, "Why Polars is the right DataFrame library for production")
    end,
  },
}
