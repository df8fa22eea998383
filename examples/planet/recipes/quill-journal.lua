-- Quill Journal has no feed: its category page lists posts with a title link, a <time>
-- and a teaser.  This recipe turns that page into entries and leaves sponsored posts out.
return {
  scrape = function(body, ctx)
    -- the page's own address for its relative links (the demo reads a saved copy from disk)
    local doc = html.parse(body, ctx.options.site or ctx.url)
    local feed = {
      title = 'Quill Journal',
      link = ctx.options.site or ctx.url,
      entries = {},
    }
    -- CSS selectors (doc:css) or XPath (doc:select), whichever reads better
    for _, post in ipairs(doc:css('li.post:not(.sponsored)')) do
      do
        local a = post:css('a.post-title')[1]
        local time = post:css('time')[1]
        local teaser = post:select('.//p[@class="teaser"]')[1]
        if a then
          feed.entries[#feed.entries + 1] = {
            title = trim(a:text()),
            link = a:url('href'),
            published = time and time:attr('datetime'),
            summary = teaser and ('<p>' .. html.escape(trim(teaser:text())) .. '</p>'),
            author = 'Quill Journal',
          }
        end
      end
    end
    return feed
  end,
}
