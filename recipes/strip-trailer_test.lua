-- strip-trailer on a recorded WordPress-style feed (orrery record; orrery test runs it).
return {
  recipe = "strip-trailer",
  fixtures = "fixtures/strip-trailer",
  tests = {
    ['keeps every entry'] = function(feed, t) t.equal(#feed.entries, 2) end,
    ['cuts "The post ... appeared first on ..."'] = function(feed, t)
      for _, e in ipairs(feed.entries) do
        t.no_match(e.content or '', 'appeared first on', e.title)
        t.no_match(e.summary or '', 'appeared first on', e.title)
      end
    end,
    ['keeps the text before the trailer'] = function(feed, t)
      for _, e in ipairs(feed.entries) do t.match(e.content or e.summary, '%w+', e.title) end
      t.equal(feed.entries[1].title, "Structured concurrency with TaskGroup, one year on")
    end,
  },
}
