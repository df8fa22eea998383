-- Cobalt publishes releases only in its changelog page (Sphinx).  Each release section
-- becomes an entry: title "Cobalt <version>", the date from the heading, a link to the
-- section's anchor, the section as content.  Unreleased versions are left out.
return {
  scrape = function(body, ctx)
    local doc = html.parse(body, ctx.url)
    local feed = { title = 'Cobalt releases', link = ctx.url, entries = {} }
    for _, section in ipairs(doc:css('section[id^="release-"]')) do
      local h2 = section:css('h2')[1]
      local heading = h2 and trim(h2:text()) or ''
      local version = heading:match('^(%d+%.%d+%.%d+)')
      local date = heading:match('%((%d%d%d%d%-%d%d%-%d%d)%)')
      if version and date then
        -- the section without its heading: the heading is the entry's title
        local content = section:html():gsub('^%s*<h2.-</h2>', '', 1)
        feed.entries[#feed.entries + 1] = {
          title = 'Cobalt ' .. version,
          link = ctx.url .. '#' .. section:attr('id'),
          id = ctx.url .. '#' .. section:attr('id'),
          published = date .. 'T12:00:00Z',
          author = 'The Cobalt team',
          content = content,
        }
      end
    end
    return feed
  end,
}
