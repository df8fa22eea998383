/* libFuzzer target: the date parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  int64_t t;
  if (s == NULL) return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  (void)orr_date_parse(s, &t);
  free(s);
  return 0;
}
