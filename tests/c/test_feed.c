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

static orr_feed *parse(const char *s, char *err) {
  orr_feed_opts o = { "http://example.org/", NULL, 1, 0, 0 };
  return orr_feed_parse(s, strlen(s), &o, err, 320);
}

static void fuzz_corpus(const char *dir) {
  static const char *const charsets[] = { NULL, "utf-8", "iso-8859-1", "windows-1252", "bogus" };
  DIR *d = opendir(dir);
  struct dirent *de;
  int n = 0;
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
      orr_feed_free(orr_feed_parse(buf + 1, (size_t)size - 1, &o, err, sizeof err));
      n++;
    }
    free(buf);
    fclose(fp);
  }
  closedir(d);
  printf("# %d fuzz regression inputs parsed\n", n);
  CHECK(n > 0);
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
      ** pre-pass rescan the run for every tag (8 s for this 2.4 MB; now about 0.05 s) */
    orr_buf b;
    clock_t t0;
    int i;
    orr_buf_init(&b);
    orr_buf_adds(&b, "<rss version=\"2.0\"><channel><title>t</title>");
    for (i = 0; i < 600000; i++) orr_buf_adds(&b, "<x/>");
    orr_buf_adds(&b, "<item><title>a &amp; b &eacute;</title></item></channel></rss>");
    t0 = clock();
    f = orr_feed_parse(b.data, b.len, &(orr_feed_opts){ "http://example.org/", NULL, 1, 0, 0 }, err, sizeof err);
    CHECK(f && f->nentries == 1 && strcmp(f->entries[0].f[ORR_E_TITLE], "a & b \xc3\xa9") == 0);
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 3.0);
    orr_feed_free(f);
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
  fuzz_corpus("tests/fixtures/fuzz");
  return test_report();
}
