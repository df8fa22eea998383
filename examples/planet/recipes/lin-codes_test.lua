-- The recipe lin-codes on its recording (orrery record); orrery test runs it.
-- Written from what the recipe gave when it was recorded: edit it to say what must stay true.
return {
  recipe = "lin-codes",
  fixtures = "fixtures/lin-codes",
  tests = {
    ['gives 3 entries'] = function(feed, t) t.equal(#feed.entries, 3) end,
    ['fills in each teaser with the article from its page'] = function(feed, t)
      t.equal(#feed.missing, 0, 'pages the recording lacks')
      for _, e in ipairs(feed.entries) do
        t.ok(#(e.content or '') > #(e.summary or '') + 200, e.title .. ': the article is longer than its teaser')
      end
    end,
    ['every entry has a title and a link'] = function(feed, t) t.complete(feed) end,
    ['the newest is A year of free-threading'] = function(feed, t)
      t.equal(feed.entries[1].title, "A year of free-threading")
    end,
  },
}
