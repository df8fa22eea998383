/* Pure-C tests of buf.c: the escaping every byte of every entry goes through, and the UTF-8
** checks (valid; valid with only XML's characters), each against what a byte-at-a-time
** reading says, with the interesting bytes at every position around the 8- and 16-byte
** steps the fast paths take. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"

static void escaped_by_hand(orr_buf *b, const char *s, size_t n, int quote) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (s[i] == '&') orr_buf_adds(b, "&amp;");
    else if (s[i] == '<') orr_buf_adds(b, "&lt;");
    else if (s[i] == '>') orr_buf_adds(b, "&gt;");
    else if (s[i] == '"' && quote) orr_buf_adds(b, "&quot;");
    else orr_buf_addc(b, s[i]);
  }
}

static void escaping(void) {
  static const char specials[] = "&<>\"";
  int bad = 0, quote;
  size_t len, at, k;
  for (quote = 0; quote <= 1; quote++)
    for (len = 0; len <= 40; len++)
      for (at = 0; at <= len; at++)
        for (k = 0; k < 4; k++) {
          char s[64];
          orr_buf a, b;
          memset(s, 'x', len);
          if (at < len) s[at] = specials[k];
          if (len > 3 && at + 3 < len) s[at + 3] = 'y';
          orr_buf_init(&a);
          orr_buf_init(&b);
          orr_buf_add_escaped(&a, s, len, quote);
          escaped_by_hand(&b, s, len, quote);
          if (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len) != 0)) bad++;
          orr_buf_free(&a);
          orr_buf_free(&b);
        }
  CHECK(bad == 0);
  {
    orr_buf a;
    orr_buf_init(&a);
    orr_buf_add_escaped(&a, "0123456789abcdef<0123456789abcdef\"&", 35, 1);
    CHECK_STR(a.data, "0123456789abcdef&lt;0123456789abcdef&quot;&amp;");
    orr_buf_free(&a);
  }
}

static void utf8(void) {
  static const char *const seqs[] = { "\xC3\xA9", "\xE3\x81\x82", "\xF0\x9F\x98\x80", "\xC0\xAF", "\xED\xA0\x80",
                                      "\xE3\x81", "\xF4\x90\x80\x80", "\x80", "\xFF" };
  static const int valid[] = { 1, 1, 1, 0, 0, 0, 0, 0, 0 };
  int bad = 0;
  size_t k, at;
  for (k = 0; k < sizeof seqs / sizeof *seqs; k++)
    for (at = 0; at <= 34; at++) {
      char s[64];
      size_t n = strlen(seqs[k]);
      memset(s, 'a', sizeof s);
      memcpy(s + at, seqs[k], n);
      if (orr_utf8_valid(s, 40) != valid[k]) bad++;
      if (orr_utf8_valid(s, at + n) != valid[k]) bad++;        /* the sequence at the very end */
    }
  CHECK(bad == 0);
}

static void xml_chars(void) {
  static const char *const seqs[] = { "\xC3\xA9", "\t", "\n", "\r", "\x01", "\x1F", "\xEF\xBF\xBE", "\xEF\xBF\xBF",
                                      "\xEF\xBF\xBD", "\xE3\x81", "\x7F" };
  static const int with_cr[] = { 1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1 }, without_cr[] = { 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1 };
  int bad = 0;
  size_t k, at;
  for (k = 0; k < sizeof seqs / sizeof *seqs; k++)
    for (at = 0; at <= 34; at++) {
      char s[64];
      size_t n = strlen(seqs[k]);
      memset(s, 'a', sizeof s);
      memcpy(s + at, seqs[k], n);
      if (orr_utf8_xml_chars(s, 40, 1) != with_cr[k] || orr_utf8_xml_chars(s, 40, 0) != without_cr[k]) bad++;
      if (orr_utf8_xml_chars(s, at + n, 1) != with_cr[k]) bad++;
    }
  CHECK(bad == 0);
}

int main(void) {
  escaping();
  utf8();
  xml_chars();
  return test_report();
}
