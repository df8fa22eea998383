/*
** test.h — a harness the size of redis's testhelp.h: TAP lines on stdout.
**   CHECK(cond)        one test, named by its expression
**   CHECK_STR(a, b)    string equality (NULL-safe), shows both on failure
** main() ends with `return test_report();`.
*/
#ifndef ORR_TEST_H
#define ORR_TEST_H

#include <stdio.h>
#include <string.h>

static int test_n, test_failed;

#define CHECK(cond) do { test_n++; \
  if (cond) printf("ok %d - %s\n", test_n, #cond); \
  else { test_failed++; printf("not ok %d - %s (%s:%d)\n", test_n, #cond, __FILE__, __LINE__); } \
} while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); test_n++; \
  if ((a_ == NULL && b_ == NULL) || (a_ && b_ && strcmp(a_, b_) == 0)) \
    printf("ok %d - %s == %s\n", test_n, #a, #b); \
  else { test_failed++; printf("not ok %d - %s == %s (%s:%d)\n#   got:      %s\n#   expected: %s\n", \
    test_n, #a, #b, __FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
} while (0)

static int test_report(void) {
  printf("1..%d\n", test_n);
  return test_failed ? 1 : 0;
}

#endif
