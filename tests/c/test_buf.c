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

/* Each sequence at every offset, in a run of 'a's and at the very end: what orr_utf8_valid
** and orr_utf8_xml_chars (with and without carriage returns allowed) say of it. */
static void utf8(void) {
  static const struct { const char *s; int valid, xml, xml_no_cr; } cases[] = {
    { "\xC3\xA9", 1, 1, 1 }, { "\xE3\x81\x82", 1, 1, 1 }, { "\xF0\x9F\x98\x80", 1, 1, 1 },
    { "\xC0\xAF", 0, 0, 0 }, { "\xED\xA0\x80", 0, 0, 0 }, { "\xE3\x81", 0, 0, 0 },
    { "\xF4\x90\x80\x80", 0, 0, 0 }, { "\x80", 0, 0, 0 }, { "\xFF", 0, 0, 0 },
    { "\t", 1, 1, 1 }, { "\n", 1, 1, 1 }, { "\r", 1, 1, 0 }, { "\x01", 1, 0, 0 }, { "\x1F", 1, 0, 0 },
    { "\x7F", 1, 1, 1 }, { "\xEF\xBF\xBE", 1, 0, 0 }, { "\xEF\xBF\xBF", 1, 0, 0 }, { "\xEF\xBF\xBD", 1, 1, 1 },
  };
  int bad = 0;
  size_t k, at;
  for (k = 0; k < sizeof cases / sizeof *cases; k++)
    for (at = 0; at <= 34; at++) {
      char s[64];
      size_t n = strlen(cases[k].s), lens[2], i;
      memset(s, 'a', sizeof s);
      memcpy(s + at, cases[k].s, n);
      lens[0] = at + n;                           /* the sequence last */
      lens[1] = 40;                               /* and followed by more */
      for (i = 0; i < 2; i++) {
        if (orr_utf8_valid(s, lens[i]) != cases[k].valid) bad++;
        if (orr_utf8_xml_chars(s, lens[i], 1) != cases[k].xml) bad++;
        if (orr_utf8_xml_chars(s, lens[i], 0) != cases[k].xml_no_cr) bad++;
      }
    }
  CHECK(bad == 0);
}

/* orr_utf8_xml_chars (16 bytes a step) against the same rule a character at a time, on
** random text made of pieces of every kind: ASCII, control characters, 2-, 3- and 4-byte
** characters, the leads with rules of their own, and every kind of broken sequence. */
static int xml_chars_slow(const char *str, size_t n, int cr) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, k;
  while (i < n) {
    if (s[i] < 0x80) {
      if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' && !(cr && s[i] == '\r')) return 0;
      i++;
      continue;
    }
    k = orr_utf8_seq(str + i, n - i);
    if (k == 0 || (k == 3 && s[i] == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE)) return 0;
    i += k;
  }
  return 1;
}

static void utf8_blocks(void) {
  static const char *const pieces[] = {
    "a", "plain text ", "\n", "\t", "\r", "\x01", "\x7F", "\xC3\xA9", "\xD0\xB6", "\xDF\xBF", "\xC2\x80",
    "\xE3\x81\x82", "\xE2\x80\x99", "\xE0\xA4\x85", "\xED\x9F\xBF", "\xEF\xBC\x8C", "\xEF\xBF\xBD",
    "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "\xF1\x80\x80\x80",
    /* broken */
    "\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xC3", "\xE3\x81", "\xE0\x80\x80", "\xED\xA0\x80",
    "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF",
    "\xC3\xC3", "\xE3\x41\x82",
  };
  size_t np = sizeof pieces / sizeof *pieces, broken = 20;
  unsigned long long seed = 88172645463325252ULL;
  int bad = 0, r, valid = 0;
  for (r = 0; r < 200000; r++) {
    char s[256];
    size_t n = 0, want;
    seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
    want = (size_t)(seed % 120);
    while (n < want) {
      size_t k;
      const char *p;
      seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
      /* mostly valid pieces: a broken one in one string in four */
      k = (size_t)(seed >> 8) % (r % 4 == 0 ? np : broken);
      p = pieces[k];
      if (n + strlen(p) > sizeof s) break;
      memcpy(s + n, p, strlen(p));
      n += strlen(p);
    }
    if (orr_utf8_xml_chars(s, n, 1) != xml_chars_slow(s, n, 1)) bad++;
    if (orr_utf8_xml_chars(s, n, 0) != xml_chars_slow(s, n, 0)) bad++;
    valid += xml_chars_slow(s, n, 1);
  }
  CHECK(bad == 0);
  CHECK(valid > 20000 && valid < 190000);     /* (both answers seen plenty) */
}

int main(void) {
  escaping();
  utf8();
  utf8_blocks();
  {   /* orr_utf8_uncut: a character cut by a byte count goes, a whole one stays */
    char a[] = "ab\xC3\xA9", b[] = "ab\xC3", c[] = "ab\xE2\x82", d[] = "\xF0\x9F\x98\x80", e[] = "\xF0\x9F\x98", f[] = "";
    orr_utf8_uncut(a); orr_utf8_uncut(b); orr_utf8_uncut(c); orr_utf8_uncut(d); orr_utf8_uncut(e); orr_utf8_uncut(f);
    CHECK_STR(a, "ab\xC3\xA9");
    CHECK_STR(b, "ab");
    CHECK_STR(c, "ab");
    CHECK_STR(d, "\xF0\x9F\x98\x80");
    CHECK_STR(e, "");
    CHECK_STR(f, "");
  }
  {   /* orr_utf8_scrub: each byte that starts no valid sequence becomes '?', in place */
    char a[] = "\xFF\xFE soon", b[] = "caf\xC3\xA9 \xE9t\xE9", c[] = "ab\xC3", d[] = "\xED\xA0\x80x";
    orr_utf8_scrub(a); orr_utf8_scrub(b); orr_utf8_scrub(c); orr_utf8_scrub(d);
    CHECK_STR(a, "?? soon");
    CHECK_STR(b, "caf\xC3\xA9 ?t?");
    CHECK_STR(c, "ab?");
    CHECK_STR(d, "???x");                 /* (a surrogate is no character) */
  }
  return test_report();
}
