/* Pure-C tests of feed.c, and the fuzzers' regression corpus: every file in
** tests/fixtures/fuzz is parsed the way fuzz_feed parses it (first byte = options), which
** under `make check` (ASan/UBSan) re-checks each crash the fuzzers ever found. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "feed.h"
#include "test.h"
#include "xmlinput.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

static orr_feed *parse(const char *s, char *err) {
  orr_feed_opts o = { "http://example.org/", NULL, 1, 0, 0 };
  return orr_feed_parse(s, strlen(s), &o, err, 320);
}

/* Is every string of f (or the error, when there is no f) valid UTF-8, as the fuzzers check? */
static int all_utf8(const orr_feed *f, const char *err) {
  size_t i, j;
  int ok = 1;
  if (f == NULL) return orr_utf8_valid(err, strlen(err));
  for (j = 0; j < ORR_F_NFIELDS; j++) ok &= !f->f[j] || orr_utf8_valid(f->f[j], strlen(f->f[j]));
  for (i = 0; i < f->nentries; i++) {
    const orr_entry *e = &f->entries[i];
    for (j = 0; j < ORR_E_NFIELDS; j++) ok &= !e->f[j] || orr_utf8_valid(e->f[j], strlen(e->f[j]));
    for (j = 0; j < e->ntags; j++) ok &= orr_utf8_valid(e->tags[j], strlen(e->tags[j]));
  }
  return ok;
}

static void fuzz_corpus(const char *dir) {
  static const char *const charsets[] = { NULL, "utf-8", "iso-8859-1", "windows-1252", "bogus" };
  DIR *d = opendir(dir);
  struct dirent *de;
  int n = 0, bad = 0;
  if (d == NULL) { CHECK(!"tests/fixtures/fuzz is readable"); return; }
  while ((de = readdir(d)) != NULL) {
    char path[512], err[320], *buf;
    FILE *fp;
    long size;
    orr_feed_opts o = { "http://example.org/feed/", NULL, 1, 0, 0 };
    if (de->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    if ((fp = fopen(path, "rb")) == NULL) continue;
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)size + 1);
    if (buf && fread(buf, 1, (size_t)size, fp) == (size_t)size && size > 0) {
      const unsigned char c = (unsigned char)buf[0];
      o.sanitize = !(c & 1);
      o.title_html = (c >> 1) & 1;
      o.encoding = charsets[(c >> 2) % 5];
      orr_feed *f = orr_feed_parse(buf + 1, (size_t)size - 1, &o, err, sizeof err);
      if (!all_utf8(f, err)) { bad++; printf("# not UTF-8 throughout: %s\n", de->d_name); }
      orr_feed_free(f);
      n++;
    }
    free(buf);
    fclose(fp);
  }
  closedir(d);
  printf("# %d fuzz regression inputs parsed\n", n);
  CHECK(n > 0);
  CHECK(bad == 0);
}

/* A tag <t ...> with n attributes made by fmt (one %d), then rest. */
static char *many(const char *open, int n, const char *fmt, const char *rest) {
  orr_buf b;
  char one[64];
  int i;
  orr_buf_init(&b);
  orr_buf_adds(&b, open);
  for (i = 0; i < n; i++) {
    snprintf(one, sizeof one, fmt, i);
    orr_buf_adds(&b, " ");
    orr_buf_adds(&b, one);
  }
  orr_buf_adds(&b, rest);
  return orr_buf_take(&b);
}

/* How many times needle occurs in s. */
static int count(const char *s, const char *needle) {
  int n = 0;
  for (; (s = strstr(s, needle)) != NULL; s++) n++;
  return n;
}

/* orr_attributes_capped, XML and HTML (max 4 here): cut where libxml2 would read more */
static void attributes_capped(void) {
  size_t n, tags, elements;
  char *d, *out;
  out = orr_attributes_capped("<a x=\"1\" y='2'><b/></a>", 24, 0, 4, &n, &tags, &elements);
  CHECK(out == NULL);                                    /* nothing past the bound: no copy */
  d = many("<r><item", 6, "a%d=\"v\"", "><t>kept</t></item></r>");
  out = orr_attributes_capped(d, strlen(d), 0, 4, &n, &tags, &elements);
  CHECK_STR(out, "<r><item a0=\"v\" a1=\"v\" a2=\"v\" a3=\"v\" ><t>kept</t></item></r>");
  CHECK(tags == 1 && n == strlen(out ? out : ""));
  free(out); free(d);
  d = many("<r><![CDATA[<p", 6, "a%d=\"v\"", ">]]><!-- <q a b c d e f> --></r>");
  CHECK(orr_attributes_capped(d, strlen(d), 0, 4, &n, &tags, &elements) == NULL);   /* text to libxml2 */
  free(d);
  d = many("<r><e", 6, "a%d=\"v\"", "/>");                   /* "/>" kept */
  out = orr_attributes_capped(d, strlen(d), 0, 4, &n, &tags, &elements);
  CHECK(out && strstr(out, "a3=\"v\" />") != NULL && count(out, "=") == 4);
  free(out); free(d);
  d = many("<r><e", 6, "a%d=\">\"", ">x</e></r>");           /* a '>' in a value is no end */
  out = orr_attributes_capped(d, strlen(d), 0, 4, &n, &tags, &elements);
  CHECK(out && count(out, "=") == 4 && strstr(out, ">x</e></r>") != NULL);
  free(out); free(d);
  d = many("<p", 6, "a%d", ">x</p>");                             /* HTML: names alone */
  out = orr_attributes_capped(d, strlen(d), 1, 4, &n, &tags, &elements);
  CHECK_STR(out, "<p a0 a1 a2 a3 >x</p>");
  free(out); free(d);
  d = many("<p", 6, "a%d=<v", ">x</p>");                          /* HTML: '<' in a value */
  out = orr_attributes_capped(d, strlen(d), 1, 4, &n, &tags, &elements);
  CHECK_STR(out, "<p a0=<v a1=<v a2=<v a3=<v >x</p>");
  free(out); free(d);
  d = many("<p title=\"<q\"", 6, "a%d='1'", ">x</p>");            /* HTML: quoted '<' */
  out = orr_attributes_capped(d, strlen(d), 1, 4, &n, &tags, &elements);
  CHECK(out && count(out, "=") == 4);
  free(out); free(d);
}

/* The attributes libxml2 itself gives the first <p> of a document (HTML or XML). */
static int seen_atts = -1;
static void html_start(void *ctx, const xmlChar *name, const xmlChar **atts) {
  (void)ctx;
  if (seen_atts < 0 && strcmp((const char *)name, "p") == 0) for (seen_atts = 0; atts && atts[2 * seen_atts]; seen_atts++) {}
}
static void xml_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri, int nns,
                      const xmlChar **ns, int natts, int ndef, const xmlChar **atts) {
  (void)ctx; (void)local; (void)prefix; (void)uri; (void)ns; (void)ndef; (void)atts;
  if (seen_atts < 0) seen_atts = nns + natts;
}
static int libxml2_attributes(const char *d, int html) {
  xmlSAXHandler h;
  memset(&h, 0, sizeof h);
  seen_atts = -1;
  if (html) {
    htmlParserCtxtPtr c = htmlNewParserCtxt();
    h.initialized = 1;
    h.startElement = html_start;
    memcpy(c->sax, &h, sizeof h);
    htmlCtxtReadMemory(c, d, (int)strlen(d), NULL, "UTF-8", HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                       HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    htmlFreeParserCtxt(c);
  } else {
    xmlParserCtxtPtr c = xmlNewParserCtxt();
    h.initialized = XML_SAX2_MAGIC;
    h.startElementNs = xml_start;
    memcpy(c->sax, &h, sizeof h);
    xmlCtxtReadMemory(c, d, (int)strlen(d), NULL, "UTF-8", XML_PARSE_RECOVER | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_NONET);
    xmlFreeParserCtxt(c);
  }
  return seen_atts;
}

/* Random tags from the characters that matter to a tag: wherever libxml2 takes more than k
** attributes, orr_attributes_capped counts more than k too (it cuts the tag), so that no
** tag reaches libxml2 with more attributes than the bound. */
static void attributes_as_libxml2_reads(void) {
  static const char *const pieces[] = { "a", "b", "c1", "x:y", "xmlns:q", "=", "\"v\"", "'w'", "\"<\"",
    "\">\"", " ", " ", " ", "/", "!", "<", "&", "\t", "'", "\"", "-", "=u", "." };
  unsigned seed = 12345;
  int i, html, under = 0, cases = 0;
  for (html = 0; html <= 1; html++) {
    for (i = 0; i < 20000; i++) {
      char d[160];
      int len = 0, j, n = 2 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 30, k;
      size_t outlen, tags, elements;
      char *out;
      len += snprintf(d, sizeof d, "<p ");
      for (j = 0; j < n; j++)
        len += snprintf(d + len, sizeof d - (size_t)len, "%s",
                        pieces[((seed = seed * 1103515245u + 12345u) >> 16) % (sizeof pieces / sizeof *pieces)]);
      len += snprintf(d + len, sizeof d - (size_t)len, ">t</p>");
      if ((k = libxml2_attributes(d, html)) <= 0) continue;
      cases++;
      out = orr_attributes_capped(d, (size_t)len, html, (size_t)(k - 1), &outlen, &tags, &elements);
      if (out == NULL) { under++; if (under < 5) printf("# counted fewer than libxml2's %d (%s): %s\n", k, html ? "HTML" : "XML", d); }
      free(out);
    }
  }
  printf("# %d cases\n", cases);
  CHECK(cases > 5000);
  CHECK(under == 0);
}

int main(void) {
  char err[320];
  orr_feed *f;
  f = parse("&", err);                   /* found by fuzz_feed: use after free */
  CHECK(f == NULL);
  CHECK(strstr(err, "not a feed") != NULL);
  f = parse("<!DOCTYPE html><p>a & b", err);
  CHECK(f == NULL && strstr(err, "HTML page") != NULL);
  f = parse("<rss version=\"2.0\"><channel><title>a &amp; b</title></channel></rss>", err);
  CHECK(f != NULL && strcmp(f->format, "rss20") == 0 && strcmp(f->f[ORR_F_TITLE], "a & b") == 0);
  orr_feed_free(f);
  {   /* time linear in the input: a long run of tags before an '&' once made the entity
      ** pre-pass rescan the run for every tag (8 s for 2.4 MB of them; now about 0.05 s) */
    orr_buf b;
    clock_t t0;
    int i;
    orr_buf_init(&b);
    orr_buf_adds(&b, "<rss version=\"2.0\"><channel><title>t</title>");
    for (i = 0; i < 480000; i++) orr_buf_adds(&b, "<x/>");
    orr_buf_adds(&b, "<item><title>a &amp; b &eacute;</title></item></channel></rss>");
    t0 = clock();
    f = orr_feed_parse(b.data, b.len, &(orr_feed_opts){ "http://example.org/", NULL, 1, 0, 0 }, err, sizeof err);
    CHECK(f && f->nentries == 1 && strcmp(f->entries[0].f[ORR_E_TITLE], "a & b \xc3\xa9") == 0);
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 3.0);
    orr_feed_free(f);
    orr_buf_free(&b);
  }
  {   /* a document gives its first and its last ORR_MAX_ENTRIES / 2 entries, in order */
    orr_buf b;
    int i, json, in_order;
    char id[32];
    for (json = 0; json <= 1; json++) {
      orr_buf_init(&b);
      orr_buf_adds(&b, json ? "{\"version\": \"https://jsonfeed.org/version/1.1\", \"title\": \"t\", \"items\": ["
                            : "<rss version=\"2.0\"><channel><title>t</title>");
      for (i = 0; i < 12345; i++) {
        snprintf(id, sizeof id, json ? "%s{\"id\": \"%d\"}" : "%s<item><guid>%d</guid></item>", json && i ? "," : "", i);
        if (!json) snprintf(id, sizeof id, "<item><guid>%d</guid></item>", i);
        orr_buf_adds(&b, id);
      }
      orr_buf_adds(&b, json ? "]}" : "</channel></rss>");
      f = orr_feed_parse(b.data, b.len, &(orr_feed_opts){ "http://example.org/", NULL, 1, 0, 0 }, err, sizeof err);
      CHECK(f && f->nentries == ORR_MAX_ENTRIES);
      for (i = 0, in_order = f != NULL; f && i < ORR_MAX_ENTRIES; i++)
        in_order &= atoi(f->entries[i].f[ORR_E_ID]) == (i < ORR_MAX_ENTRIES / 2 ? i : i + 12345 - ORR_MAX_ENTRIES);
      CHECK(in_order);
      CHECK(f && f->f[ORR_F_NOTES] && strstr(f->f[ORR_F_NOTES], "2345 entries left out") != NULL);
      orr_feed_free(f);
      orr_buf_free(&b);
    }
  }
  {   /* a tree of more than ORR_MAX_ELEMENTS elements is not built (libxml2 took 280 MB for
      ** 8 MB of "<x/>"): the feed fails with the reason */
    orr_buf b;
    int i;
    orr_buf_init(&b);
    orr_buf_adds(&b, "<rss version=\"2.0\"><channel><title>t</title><![CDATA[<p>]]><!-- <p> -->");
    for (i = 0; i < ORR_MAX_ELEMENTS - 5; i++) orr_buf_adds(&b, "<x/>");
    orr_buf_adds(&b, "<item><title>last</title></item></channel></rss>");
    f = orr_feed_parse(b.data, b.len, &(orr_feed_opts){ "http://example.org/", NULL, 1, 0, 0 }, err, sizeof err);
    CHECK(f && f->nentries == 1);                        /* 500,000 in all: read */
    orr_feed_free(f);
    orr_buf_adds(&b, "<x/>");
    f = orr_feed_parse(b.data, b.len, &(orr_feed_opts){ "http://example.org/", NULL, 1, 0, 0 }, err, sizeof err);
    CHECK(f == NULL && strstr(err, "more than 500,000 elements") != NULL);
    orr_buf_free(&b);
  }
  {   /* the entity pre-pass looks at markup only around the '&'s it rewrites: XML's own
      ** references before a CDATA section must not hide the section from it (what is in
      ** there is literal), and one rewritten after it is rewritten */
    const char *doc = "<rss version=\"2.0\"><channel><title>t</title><item><title>x &amp; y &#233;</title>"
                      "<description><![CDATA[&amp; a=1&b=2 &nbsp;]]></description></item>"
                      "<item><title>caf&eacute; &#X41;</title></item></channel></rss>";
    f = orr_feed_parse(doc, strlen(doc), &(orr_feed_opts){ "http://example.org/", NULL, 0, 0, 0 }, err, sizeof err);
    CHECK(f && f->nentries == 2);
    CHECK(f && strcmp(f->entries[0].f[ORR_E_SUMMARY], "&amp; a=1&b=2 &nbsp;") == 0);
    CHECK(f && strcmp(f->entries[0].f[ORR_E_TITLE], "x & y \xc3\xa9") == 0);
    CHECK(f && strcmp(f->entries[1].f[ORR_E_TITLE], "caf\xc3\xa9 A") == 0);
    orr_feed_free(f);
  }
  {   /* a long run of escaped HTML is decoded before libxml2 sees the document (set aside):
      ** line ends as XML reads them (CR LF and CR become LF, a &#13; stays), a ']' or "]]" is
      ** text, and the result is what libxml2 gives for the same run kept short */
    const char *doc = "<rss version=\"2.0\"><channel><title>t</title><item><description>&lt;p&gt;one\r\ntwo\r"
                      "three ] four ]] five &amp; &#13;six seven eight nine ten&lt;/p&gt;</description></item>"
                      "<item><description>a\r\nb\rc ] d ]] &amp;</description></item></channel></rss>";
    f = orr_feed_parse(doc, strlen(doc), &(orr_feed_opts){ "http://example.org/", NULL, 0, 0, 0 }, err, sizeof err);
    CHECK(f && f->nentries == 2);
    CHECK(f && strcmp(f->entries[0].f[ORR_E_SUMMARY],
                      "<p>one\ntwo\nthree ] four ]] five & \rsix seven eight nine ten</p>") == 0);
    CHECK(f && strcmp(f->entries[1].f[ORR_E_SUMMARY], "a\nb\nc ] d ]] &") == 0);
    orr_feed_free(f);
  }
  fuzz_corpus("tests/fixtures/fuzz");
  attributes_capped();
  attributes_as_libxml2_reads();
  return test_report();
}
