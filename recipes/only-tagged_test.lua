-- only-tagged on a recorded general blog (orrery record; orrery test runs it).
return {
  recipe = "only-tagged",
  fixtures = "fixtures/only-tagged",
  options = { tags = { "python" } },
  tests = {
    ['keeps the Python posts'] = function(feed, t)
      t.equal(#feed.entries, 2)
      for _, e in ipairs(feed.entries) do
        local tagged = false
        for _, tag in ipairs(e.tags) do tagged = tagged or tag:lower() == 'python' end
        t.ok(tagged, e.title)
      end
    end,
    ['drops the others, saying why (orrery why shows it)'] = function(feed, t)
      t.equal(#feed.dropped, 1)
      t.equal(feed.dropped[1].title, 'Sourdough starter, week three')
      t.match(feed.dropped[1].reason, 'not tagged python')
    end,
  },
}
