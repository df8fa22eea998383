/* libFuzzer target: feed documents through the whole C parser, sanitizer on.  The first
** byte picks the options (sanitize, title_html, an HTTP charset) so they are fuzzed too. */
#include <stddef.h>
#include <stdint.h>

#include "feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const charsets[] = { NULL, "utf-8", "iso-8859-1", "windows-1252", "bogus" };
  orr_feed_opts o = { "http://example.org/feed/", NULL, 1, 0 };
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
  orr_feed_free(f);
  return 0;
}
