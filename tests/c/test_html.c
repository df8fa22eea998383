/* Pure-C tests of html.c: the sanitizer keeps what is allowed and nothing else. */
#include <stdlib.h>
#include <string.h>

#include <libxml/uri.h>

#include "buf.h"
#include "html.h"
#include "url.h"
#include "test.h"

static char *san(const char *s, const char *base) {
  static char *last;
  free(last);
  last = orr_html_sanitize(s, strlen(s), base);
  return last;
}

int main(void) {
  CHECK_STR(san("<p>Hello <b>world</b></p>", NULL), "<p>Hello <b>world</b></p>");
  CHECK_STR(san("<p>a<script>alert(1)</script>b</p>", NULL), "<p>ab</p>");
  /* readings of Japanese and Chinese text, and isolated right-to-left names, keep their markup */
  CHECK_STR(san("<p><ruby>\xe6\xbc\xa2<rp>(</rp><rt>\xe3\x81\x8b\xe3\x82\x93</rt><rp>)</rp></ruby></p>", NULL),
            "<p><ruby>\xe6\xbc\xa2<rp>(</rp><rt>\xe3\x81\x8b\xe3\x82\x93</rt><rp>)</rp></ruby></p>");
  CHECK_STR(san("<p>by <bdi>\xd7\x90\xd7\x91</bdi> and <bdo dir=\"rtl\" onclick=\"x()\">ab</bdo></p>", NULL),
            "<p>by <bdi>\xd7\x90\xd7\x91</bdi> and <bdo dir=\"rtl\">ab</bdo></p>");
  CHECK_STR(san("<img src=x onerror=alert(1)>", "http://e.org/a/"), "<img src=\"http://e.org/a/x\" />");
  CHECK_STR(san("<a href=\"java\tscript:alert(1)\">x</a>", NULL), "<a>x</a>");
  CHECK_STR(san("<a href=\" JAVASCRIPT:alert(1)\">x</a>", NULL), "<a>x</a>");
  CHECK_STR(san("<a href=\"data:text/html,&lt;script&gt;\">x</a>", NULL), "<a>x</a>");
  CHECK_STR(san("<a href=\"/p?q=1&amp;r=2\">x</a>", "https://e.org/blog/"), "<a href=\"https://e.org/p?q=1&amp;r=2\">x</a>");
  CHECK_STR(san("<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>", NULL),
            "<p title=\"&lt;/noscript&gt;&lt;img src=x onerror=alert(1)&gt;\"></p>");
  CHECK_STR(san("<iframe src=\"http://evil\">fallback</iframe>ok", NULL), "fallbackok");  /* text only */
  CHECK_STR(san("<style>p{}</style><template><p>t</p></template>x", NULL), "x");
  CHECK_STR(san("<p style=\"color: red; background: url(javascript:x)\">c</p>", NULL), "<p style=\"color: red;\">c</p>");
  CHECK_STR(san("<blink>text stays</blink>", NULL), "text stays");
  CHECK_STR(san("1 &lt; 2 &amp; 3", NULL), "1 &lt; 2 &amp; 3");
  CHECK_STR(san("", NULL), "");
  /* void elements: what libxml2 nests inside one (it does not know wbr, source, spacer as
  ** void) follows it, as in a browser, instead of being lost */
  CHECK_STR(san("<p>a<wbr>b c</p>d", NULL), "<p>a<wbr />b c</p>d");
  CHECK_STR(san("<video><source src=v.mp4>Your browser cannot play it</video>", "http://e.org/"),
            "<video><source src=\"http://e.org/v.mp4\" />Your browser cannot play it</video>");
  /* end tags come from what was opened: libxml2 may name another element at the end */
  CHECK_STR(san("<m=eh4t/", NULL), "<m></m>");
  CHECK_STR(san("<d:u>x</d:u>y", NULL), "xy");                    /* not <u>: a browser sees d:u */
  CHECK_STR(san("<ol compact><li>a</ol><td nowrap>t", NULL),
            "<ol compact=\"compact\"><li>a</li></ol><td nowrap=\"nowrap\">t</td>");
  CHECK_STR(san("a</div><p>b</p></div>c", NULL), "a<p>b</p>c");   /* stray end tags */
  CHECK_STR(san("<body onload=x><p>in</p></body>after", NULL), "<p>in</p>after");
  {   /* nesting deeper than MAX_DEPTH: the tags below it go, all of the text stays */
    orr_buf in;
    char *out;
    int i;
    orr_buf_init(&in);
    for (i = 0; i < 5000; i++) orr_buf_adds(&in, i % 2 ? "<span>" : "<x-y>");
    orr_buf_adds(&in, "end<script>alert(1)</script>");
    out = orr_html_sanitize(in.data, in.len, NULL);
    CHECK(out && strstr(out, "end") && !strstr(out, "script"));
    CHECK(out && strlen(out) < 256 * 14 + 64);
    free(out);
    orr_buf_free(&in);
  }
  {
    char *t = orr_html_text("<b>AT&amp;T</b> &nbsp;rocks", 27);
    CHECK_STR(t, "AT&T \xc2\xa0rocks");
    free(t);
  }
  {   /* the scanner for stored HTML agrees with the parser on what the sanitizer writes */
    static const char *const cases[] = {
      "<p>one</p><p>two &amp; <b>three</b></p>", "a<br />b<ul><li>x</li><li>y</li></ul>z",
      "1 &lt; 2 &gt; 0 &quot;q&quot; &#233;&#x263A;", "<a href=\"http://e.org/?a=1&amp;b=2\">l</a>",
      "<div><div>deep</div></div>tail", "", NULL,
    };
    size_t i;
    for (i = 0; cases[i]; i++) {
      char *clean = orr_html_sanitize(cases[i], strlen(cases[i]), NULL);
      char *a = orr_html_text(clean, strlen(clean)), *b = orr_html_text_sanitized(clean, strlen(clean));
      CHECK_STR(b, a);
      free(a);
      free(b);
      free(clean);
    }
    {
      char *t = orr_html_text_sanitized("x &bogus; & y <p", 16);   /* not ours: still text */
      CHECK_STR(t, "x &bogus; & y ");
      free(t);
      t = orr_html_text_sanitized("&#128512;&#xE9;", 15);          /* above U+FFFF: 4 bytes */
      CHECK_STR(t, "\xf0\x9f\x98\x80\xc3\xa9");
      free(t);
    }
  }
  {
    char *u = orr_url_clean("../x.png", "http://e.org/a/b/");
    CHECK_STR(u, "http://e.org/a/x.png");
    free(u);
    CHECK(orr_url_clean("vbscript:msgbox", NULL) == NULL);
    CHECK(orr_url_clean("x", "javascript:alert(1)//") == NULL);   /* a hostile base */
    {   /* the usual relative links (resolved without libxml2's URI parser, same result) */
      static const char *const cases[][3] = {
        { "/2024/05/post/", "https://e.org/blog/feed.xml", "https://e.org/2024/05/post/" },
        { "img/a.png", "https://e.org/blog/feed.xml", "https://e.org/blog/img/a.png" },
        { "#note-1", "https://e.org/blog/post", "https://e.org/blog/post#note-1" },
        { "?page=2&x=1", "https://e.org/blog/", "https://e.org/blog/?page=2&x=1" },
        { "a.html?q=1#f", "http://e.org/", "http://e.org/a.html?q=1#f" },
        { "../up.html", "http://e.org/a/b/c", "http://e.org/a/up.html" },       /* libxml2's */
        { "//cdn.e.org/x.js", "https://e.org/a", "https://cdn.e.org/x.js" },
        { "x", "http://E.org:8080/a/b", "http://E.org:8080/a/x" },
        { NULL, NULL, NULL },
      };
      size_t i;
      for (i = 0; cases[i][0]; i++) {
        u = orr_url_resolve(cases[i][0], cases[i][1]);
        CHECK_STR(u, cases[i][2]);
        free(u);
      }
    }
    {   /* bases and hosts with ports: the plain path's result is libxml2's, port as written
        ** where libxml2 writes it back so (1-65535, no leading zero), else libxml2's own */
      static const char *const bases[] = {
        "http://f1.localhost:18090/f/feed.xml", "https://e.org:8443/", "http://e.org:80/a/b", "http://e.org:080/a",
        "http://e.org:0/a", "http://e.org:65535/a", "http://e.org:65536/a", "http://e.org:99999/a",
        "http://e.org:/a", "http://e.org:123456/a", NULL,
      };
      static const char *const refs[] = {
        "#sec-1", "?page=2", "/x/y", "img/a.png", "../up", "//cdn.e.org:8080/x.js", "//cdn.e.org:08/x",
        "//cdn.e.org:0/x", "//cdn.e.org:/x", NULL,
      };
      size_t i, j;
      for (i = 0; bases[i]; i++)
        for (j = 0; refs[j]; j++) {
          xmlChar *want = xmlBuildURI((const xmlChar *)refs[j], (const xmlChar *)bases[i]);
          u = orr_url_resolve(refs[j], bases[i]);
          if (want) CHECK_STR(u, (const char *)want);
          xmlFree(want);
          free(u);
        }
    }
    {   /* every link of entry HTML comes out absolute against a web base (a relative one
        ** would be read against the planet's address), as a browser reads it on the feed's
        ** site: characters RFC 3986 leaves out escaped, '\\' for '/' in http(s) paths, any
        ** run of '/' and '\\' after an http(s) scheme as "//"; escapes kept as written */
      static const char *const cases[][2] = {
        { "my photo.jpg", "https://e.org/p/my%20photo.jpg" },
        { "/img/a b.png", "https://e.org/img/a%20b.png" },
        { "img/{x}|y^z`.png", "https://e.org/p/img/%7Bx%7D%7Cy%5Ez%60.png" },
        { "/q?a=1 2#f g", "https://e.org/q?a=1%202#f%20g" },
        { "x\\y", "https://e.org/p/x/y" },
        { "/\\other.org/x", "https://other.org/x" },
        { "\\\\other.org\\x", "https://other.org/x" },
        { "a?q=\\", "https://e.org/p/a?q=%5C" },
        { "https:other.org/x", "https://other.org/x" },
        { "HTTP:/\\other.org/", "HTTP://other.org/" },
        { "http:///other.org/", "http://other.org/" },
        { "%2F%2Fother.org", "https://e.org/p/%2F%2Fother.org" },
        { "caf\xc3\xa9 1.png", "https://e.org/p/caf\xc3\xa9%201.png" },
        { "100%.png", "https://e.org/p/100%.png" },
        { NULL, NULL },
      };
      size_t i;
      for (i = 0; cases[i][0]; i++) {
        u = orr_url_clean(cases[i][0], "https://e.org/p/q");
        CHECK_STR(u, cases[i][1]);
        free(u);
      }
      CHECK(orr_url_clean("https:", "https://e.org/p/q") == NULL);        /* no host: no link */
      CHECK(orr_url_clean("http:/?x", "https://e.org/p/q") == NULL);
      CHECK(orr_url_clean("//[bad/x", "https://e.org/p/q") == NULL);      /* unparsable */
      u = orr_url_clean("my photo.jpg", NULL);                            /* no base: as written */
      CHECK_STR(u, "my photo.jpg");
      free(u);
    }
    /* IRIs: escapes already in the URL stay as written (decoding "%C3" alone would not
    ** even be UTF-8) */
    u = orr_url_resolve("\xc3\xa9%C3?q=%e2#f", "http://e.org/a/");
    CHECK_STR(u, "http://e.org/a/\xc3\xa9%C3?q=%e2#f");
    free(u);
    u = orr_url_resolve("http://y.org/%E2%82", "http://e.org/\xc3\xa9");
    CHECK_STR(u, "http://y.org/%E2%82");
    free(u);
    u = orr_url_resolve("../b/\xc3\xa9", "http://e.org/\xc3\xa9/a/");
    CHECK_STR(u, "http://e.org/\xc3\xa9/b/\xc3\xa9");
    free(u);
  }
  /* bytes that are not UTF-8 (a recipe's string) come out as windows-1252 read them, in
  ** markup and in plain text alike: libxml2 passed them through, invalid */
  CHECK_STR(san("<p>x \xfe y</p>", NULL), "<p>x \xc3\xbe y</p>");
  CHECK_STR(san("caf\xe9 \x93", NULL), "caf\xc3\xa9 \xe2\x80\x9c");
  free(san("", NULL));
  return test_report();
}
