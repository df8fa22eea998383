-- The recipe cobalt-changelog on its recording (orrery record); orrery test runs it.
-- Written from what the recipe gave when it was recorded: edit it to say what must stay true.
return {
  recipe = "cobalt-changelog",
  fixtures = "fixtures/cobalt-changelog",
  tests = {
    ['gives 3 entries'] = function(feed, t) t.equal(#feed.entries, 3) end,
    ['every entry has a title and a link'] = function(feed, t) t.complete(feed) end,
    ['the newest is Cobalt 4.2.0'] = function(feed, t)
      t.equal(feed.entries[1].title, "Cobalt 4.2.0")
    end,
  },
}
