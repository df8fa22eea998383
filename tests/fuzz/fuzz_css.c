/* libFuzzer target: CSS selectors to XPath.  Any bytes must give either an error or an
** XPath expression that libxml2 compiles: a translation that writes broken (or injected)
** XPath is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

#include "css.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[200], *sel = malloc(size + 1), *x;
  if (sel == NULL) return 0;
  memcpy(sel, data, size);
  sel[size] = '\0';
  x = orr_css_to_xpath(sel, err, sizeof err);
  if (x) {
    xmlXPathCompExprPtr c = xmlXPathCompile((const xmlChar *)x);
    if (c == NULL) abort();                  /* we wrote XPath libxml2 cannot read */
    xmlXPathFreeCompExpr(c);
    free(x);
  } else if (err[0] == '\0') {
    abort();                                 /* every refusal says why */
  }
  free(sel);
  return 0;
}
