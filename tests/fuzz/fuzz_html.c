/* libFuzzer target: the HTML sanitizer, text extraction and URL cleaning.
**
** Each input is sanitized and its text taken twice: through orr_htmltok (the fast path,
** which declines what it does not read exactly as libxml2 does) and through libxml2's
** parser alone.  The results must be the same, byte for byte: any difference aborts.
** After sanitizing, the output is sanitized again: with ORR_FUZZ_FIXPOINT set it must come
** back unchanged (a fixed point), or the sanitizer wrote something a browser would read
** differently from what we checked; so must a cleaned URL, which is always absolute.
** Whatever the bytes, what comes out is UTF-8 with only XML's characters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const char *what, const char *fast, const char *slow, const uint8_t *in, size_t n) {
  if ((fast == NULL) != (slow == NULL) || (fast && strcmp(fast, slow) != 0)) {
    fprintf(stderr, "%s differs between orr_htmltok and libxml2\ninput: %.*s\nfast:  %s\nslow:  %s\n",
            what, (int)n, (const char *)in, fast ? fast : "(null)", slow ? slow : "(null)");
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data, *base = "http://example.org/a/b";
  char *s, *t, *s2, *t2, *z, *u;
  orr_html_fast_path(0);
  s2 = orr_html_sanitize(in, size, base);
  t2 = orr_html_text(in, size);
  orr_html_fast_path(1);
  s = orr_html_sanitize(in, size, base);
  t = orr_html_text(in, size);
  same("sanitized", s, s2, data, size);
  same("text", t, t2, data, size);
  if ((s && !orr_utf8_xml_chars(s, strlen(s), 1)) || (t && !orr_utf8_xml_chars(t, strlen(t), 1))) abort();
  free(s2);
  free(t2);
  z = malloc(size + 1);
  if (z) {
    memcpy(z, data, size);
    z[size] = '\0';
    u = orr_url_clean(z, "http://example.org/");
    if (u) {   /* against a web base, a kept link is absolute, and cleaning it again keeps it */
      const char *p = u;
      char *again;
      if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) abort();
      while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
             *p == '+' || *p == '-' || *p == '.')
        p++;
      if (*p != ':') abort();
      again = orr_url_clean(u, "http://example.org/");
      if (getenv("ORR_FUZZ_FIXPOINT") && (again == NULL || strcmp(again, u) != 0)) abort();
      free(again);
    }
    free(u);
    free(z);
  }
  if (s) {
    char *again = orr_html_sanitize(s, strlen(s), base);
    if (again && strcmp(again, s) != 0 && getenv("ORR_FUZZ_FIXPOINT")) abort();
    free(again);
  }
  free(s);
  free(t);
  return 0;
}
