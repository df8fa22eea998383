/* libFuzzer target: feed documents through the whole C parser, sanitizer on.  The first
** byte picks the options (sanitize, title_html, an HTTP charset) so they are fuzzed too.
** Every string of the result must be valid UTF-8 holding only XML's characters (orrery's
** promise to Lua and the database, and what the planet's own feeds need), and the result must be the same with no text set aside before libxml2
** (xmlinput.h: a speed-up, never a change): either failing aborts, which libFuzzer
** reports as a crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feed.h"

static void check(const char *s) {
  if (s && !orr_utf8_xml_chars(s, strlen(s), 1)) abort();
}

static void same_str(const char *a, const char *b) {
  if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0)) abort();
}

/* a and b alike in every field (b is freed) */
static void same(const orr_feed *a, orr_feed *b) {
  size_t i, j;
  if ((a == NULL) != (b == NULL)) abort();
  if (a == NULL) return;
  if (a->bozo != b->bozo || a->nentries != b->nentries || a->has_updated != b->has_updated ||
      a->updated != b->updated)
    abort();
  same_str(a->bozo_message, b->bozo_message);
  same_str(a->format, b->format);
  for (j = 0; j < ORR_F_NFIELDS; j++) same_str(a->f[j], b->f[j]);
  for (i = 0; i < a->nentries; i++) {
    const orr_entry *x = &a->entries[i], *y = &b->entries[i];
    for (j = 0; j < ORR_E_NFIELDS; j++) same_str(x->f[j], y->f[j]);
    if (x->ntags != y->ntags || x->nenc != y->nenc || x->published != y->published ||
        x->has_published != y->has_published || x->updated != y->updated)
      abort();
    for (j = 0; j < x->ntags; j++) same_str(x->tags[j], y->tags[j]);
    for (j = 0; j < x->nenc; j++) { same_str(x->enc[j].href, y->enc[j].href); same_str(x->enc[j].length, y->enc[j].length); }
  }
  orr_feed_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const charsets[] = { NULL, "utf-8", "iso-8859-1", "windows-1252", "bogus" };
  orr_feed_opts o = { "http://example.org/feed/", NULL, 1, 0, 0 };
  char err[320];
  orr_feed *f;
  if (size > 0) {
    o.sanitize = !(data[0] & 1);
    o.title_html = (data[0] >> 1) & 1;
    o.encoding = charsets[(data[0] >> 2) % 5];
    data++;
    size--;
  }
  f = orr_feed_parse((const char *)data, size, &o, err, sizeof err);
  o.plain = 1;
  same(f, orr_feed_parse((const char *)data, size, &o, err, sizeof err));
  if (f) {
    size_t i, j;
    for (j = 0; j < ORR_F_NFIELDS; j++) check(f->f[j]);
    for (i = 0; i < f->nentries; i++) {
      const orr_entry *e = &f->entries[i];
      for (j = 0; j < ORR_E_NFIELDS; j++) check(e->f[j]);
      for (j = 0; j < e->ntags; j++) check(e->tags[j]);
      for (j = 0; j < e->nenc; j++) { check(e->enc[j].href); check(e->enc[j].type); check(e->enc[j].length); }
    }
  }
  orr_feed_free(f);
  return 0;
}
