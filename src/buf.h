/*
** buf.h — a growable byte buffer, the one string builder of the C side.
** Every orr_buf_* call either succeeds or sets b->oom and becomes a no-op, so callers
** check once at the end (orr_buf_ok) instead of after each append.
*/
#ifndef ORR_BUF_H
#define ORR_BUF_H

#include <stddef.h>

typedef struct orr_buf {
  char  *data;   /* NUL-terminated whenever len > 0 */
  size_t len;
  size_t cap;
  int    oom;    /* sticky: an allocation failed */
} orr_buf;

void orr_buf_init(orr_buf *b);
void orr_buf_free(orr_buf *b);
/* Make room for n more bytes now (appending then copies no data around). */
void orr_buf_reserve(orr_buf *b, size_t n);
void orr_buf_add(orr_buf *b, const char *s, size_t n);
void orr_buf_adds(orr_buf *b, const char *s);
void orr_buf_addc(orr_buf *b, char c);
/* Append s with &, <, > (and " when quote is set) written as character references. */
void orr_buf_add_escaped(orr_buf *b, const char *s, size_t n, int quote);
/* Append the UTF-8 encoding of a code point (at most U+10FFFF). */
void orr_buf_add_utf8(orr_buf *b, unsigned cp);
/* The UTF-8 encoding of a code point (at most U+10FFFF) in out; returns its length. */
int orr_utf8_encode(char out[4], unsigned cp);
int  orr_buf_ok(const orr_buf *b);
/* If s is not valid UTF-8, return a malloc'd copy with each bad byte replaced by U+FFFD
** and each C1 control (U+0080..U+009F, never meant in a feed) replaced by the Windows-1252
** character of that number (U+0092 -> U+2019); else NULL (s is fine as it is).  *bad is set when a copy was needed and allocation
** failed. */
char *orr_utf8_repair(const char *s, size_t n, int *bad);

/* orr_utf8_repair for UTF-8 text with stray Windows-1252 bytes in it (a feed declared
** UTF-8 whose "Café" was typed in a Windows editor): each byte that is no part of a valid
** sequence becomes the Windows-1252 character of that byte (U+FFFD for the five it leaves
** undefined), as feedparser reads such a document.  NULL when s is valid UTF-8 already. */
char *orr_utf8_from_mixed(const char *s, size_t n, int *bad);

/* orr_utf8_repair for text already known to be valid UTF-8 (libxml2's output of a
** well-formed document), where only C1 controls can need mapping: a memchr for 0xC2 instead
** of decoding every character.  NULL when nothing changes. */
char *orr_utf8_map_c1(const char *s, size_t n, int *bad);
/* 1 if the n bytes at s are valid UTF-8. */
int orr_utf8_valid(const char *s, size_t n);
/* The NUL-terminated UTF-8 text at s with a character that a byte count cut in two (snprintf
** into a fixed buffer, "%.60s") taken off its end: the text stays valid UTF-8. */
void orr_utf8_uncut(char *s);
/* The NUL-terminated text at s made valid UTF-8 in place: each byte that starts no valid
** sequence becomes '?' (for what a server sends in its headers and libcurl's messages). */
void orr_utf8_scrub(char *s);
/* 1 if the n bytes at s are valid UTF-8 holding only characters XML allows: no C0 control
** but tab, newline and (when cr is set) carriage return, no U+FFFE or U+FFFF.  One pass,
** fast: the question each feed and each sanitized field is asked first. */
int orr_utf8_xml_chars(const char *s, size_t n, int cr);
/* The n bytes at s without the characters XML does not allow (C0 controls but tab, newline
** and carriage return; U+FFFE, U+FFFF), in place; other bytes, valid UTF-8 or not, stay.
** Returns the new length (and NUL-terminates when it shrank). */
size_t orr_xml_chars_strip(char *s, size_t n);

/* Length of the valid UTF-8 sequence at s (n bytes left: 1 for ASCII), 0 if invalid:
** no overlong forms, surrogates or code points beyond U+10FFFF.  Inline: validating loops
** call it for every character of text that is not English. */
static inline size_t orr_utf8_seq(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  unsigned c = s[0];
  if (c < 0x80) return 1;
  if (c < 0xE0) return c >= 0xC2 && n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
  if (c < 0xF0)
    return n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
           (c != 0xE0 || s[1] >= 0xA0) &&               /* overlong */
           (c != 0xED || s[1] < 0xA0) ? 3 : 0;           /* surrogates */
  return c <= 0xF4 && n >= 4 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 &&
         (c != 0xF0 || s[1] >= 0x90) && (c != 0xF4 || s[1] < 0x90) ? 4 : 0;   /* overlong, > U+10FFFF */
}
/* Hand over the data (malloc'd, NUL-terminated, never NULL unless out of memory). */
char *orr_buf_take(orr_buf *b);

/* FNV-1a 64 of n bytes as 16 lower-case hex digits and a NUL in out[17]: stable ids (not
** security).  Entry ids and dedupe keys depend on it: it must never change, not even its
** offset basis, which is one digit short of the published 14695981039346656037. */
void orr_hash_hex(const char *s, size_t n, char out[17]);

/* A fast 64-bit hash for noticing that bytes changed (documents, stored entries), eight
** bytes a step: twenty times FNV-1a's speed.  Not for ids (orr_hash_hex is); chain pieces
** by passing the previous result as h (start with 0). */
unsigned long long orr_digest(unsigned long long h, const char *s, size_t n);
/* orr_digest's result as its text form: '#' and 16 hex digits and a NUL in out[18] (the
** '#' tells it from an orr_hash_hex value stored before it existed). */
void orr_digest_hex(unsigned long long h, char out[18]);

#endif
