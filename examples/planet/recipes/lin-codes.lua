-- Lin Codes has no feed worth the name: its index page shows each post's first lines and a
-- "read more" link.  This recipe lists the posts from the index, and asks orrery to fetch
-- each post's page (full_article) and take the article out of it (article), so readers get
-- the whole post.  Pages are fetched once and cached; see docs/recipes.md.
return {
  full_article = 'always',

  scrape = function(body, ctx)
    local doc = html.parse(body, ctx.url)
    local feed = { title = 'Lin Codes', link = ctx.url, entries = {} }
    for _, post in ipairs(doc:css('#posts-list article.hentry')) do
      local a = post:css('.entry-title a')[1]
      local when = post:css('abbr.published')[1]
      local teaser = post:css('.entry-content')[1]
      if a then
        feed.entries[#feed.entries + 1] = {
          title = trim(a:text()),
          link = a:url('href'),
          published = when and when:attr('title'),
          author = 'Lin Wei',
          summary = teaser and teaser:html(),
        }
      end
    end
    return feed
  end,

  -- the post's page: its .entry-content is the article (without the title, byline and
  -- share link around it).  Returning nil would leave it to orrery's readability scoring.
  article = function(doc)
    return doc:css('article .entry-content')[1]
  end,
}
