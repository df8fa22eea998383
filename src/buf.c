/*
** buf.c — growable byte buffer (see buf.h).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "buf.h"

void orr_buf_init(orr_buf *b) {
  b->data = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
}

void orr_buf_free(orr_buf *b) {
  free(b->data);
  orr_buf_init(b);
}

static int grow(orr_buf *b, size_t extra) {
  size_t need, cap;
  char *p;
  if (b->oom) return 0;
  need = b->len + extra + 1;
  if (need <= b->cap) return 1;
  cap = b->cap ? b->cap : 64;
  while (cap < need) cap *= 2;
  p = realloc(b->data, cap);
  if (p == NULL) { b->oom = 1; return 0; }
  b->data = p;
  b->cap = cap;
  return 1;
}

void orr_buf_reserve(orr_buf *b, size_t n) {
  if (grow(b, n)) b->data[b->len] = '\0';     /* terminated even while empty */
}

void orr_buf_add(orr_buf *b, const char *s, size_t n) {
  if (!grow(b, n)) return;
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void orr_buf_adds(orr_buf *b, const char *s) { orr_buf_add(b, s, strlen(s)); }

void orr_buf_addc(orr_buf *b, char c) { orr_buf_add(b, &c, 1); }

void orr_buf_add_escaped(orr_buf *b, const char *s, size_t n, int quote) {
  /* every byte of every entry goes through here: one table lookup per byte */
  static const unsigned char special[256] = { ['&'] = 1, ['<'] = 2, ['>'] = 3, ['"'] = 4 };
  static const char *const rep[] = { NULL, "&amp;", "&lt;", "&gt;", "&quot;" };
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, start = 0;
  if (!grow(b, n)) return;               /* the usual case, nothing to escape: one copy */
  for (;;) {
    unsigned k;
#if defined(__SSE2__)
    /* 16 bytes a step to the next of the four (text runs long between them) */
    const __m128i amp = _mm_set1_epi8('&'), lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>'),
                  qt = _mm_set1_epi8('"');
    while (n - i >= 16) {
      __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
      int m = _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, amp), _mm_cmpeq_epi8(v, lt)),
                                             _mm_or_si128(_mm_cmpeq_epi8(v, gt), _mm_cmpeq_epi8(v, qt))));
      if (m != 0) { i += (size_t)__builtin_ctz((unsigned)m); break; }
      i += 16;
    }
#endif
    while (i < n && !special[u[i]]) i++;
    if (i >= n) break;
    k = special[u[i]];
    if (k == 4 && !quote) { i++; continue; }
    orr_buf_add(b, s + start, i - start);
    orr_buf_adds(b, rep[k]);
    start = ++i;
  }
  orr_buf_add(b, s + start, n - start);
}

int orr_buf_ok(const orr_buf *b) { return !b->oom; }

int orr_utf8_encode(char out[4], unsigned v) {
  if (v < 0x80) { out[0] = (char)v; return 1; }
  if (v < 0x800) { out[0] = (char)(0xC0 | v >> 6); out[1] = (char)(0x80 | (v & 0x3F)); return 2; }
  if (v < 0x10000) {
    out[0] = (char)(0xE0 | v >> 12); out[1] = (char)(0x80 | ((v >> 6) & 0x3F));
    out[2] = (char)(0x80 | (v & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | v >> 18); out[1] = (char)(0x80 | ((v >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((v >> 6) & 0x3F)); out[3] = (char)(0x80 | (v & 0x3F));
  return 4;
}

void orr_buf_add_utf8(orr_buf *b, unsigned v) {
  char u[4];
  orr_buf_add(b, u, (size_t)orr_utf8_encode(u, v));
}

/* The index of the first byte from i that is not ASCII (n if none): runs 8 bytes a step. */
static size_t skip_ascii(const unsigned char *s, size_t i, size_t n) {
  while (i + 8 <= n) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n && s[i] < 0x80) i++;
  return i;
}

void orr_utf8_uncut(char *s) {
  size_t n = strlen(s), k = n;
  while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80 && n - k < 3) k--;
  /* s[k - 1] leads the last character: cut when its bytes are not all there */
  if (k > 0 && (unsigned char)s[k - 1] >= 0xC0 && orr_utf8_seq(s + k - 1, n - k + 1) != n - k + 1) s[k - 1] = '\0';
}

void orr_utf8_scrub(char *s) {
  size_t n = strlen(s), i = 0, k;
  while (i < n) {
    if ((unsigned char)s[i] < 0x80) { i++; continue; }
    k = orr_utf8_seq(s + i, n - i);
    if (k == 0) { s[i] = '?'; k = 1; }
    i += k;
  }
}

int orr_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, k;
  for (;;) {
    i = skip_ascii(s, i, n);
    if (i >= n) return 1;
    if ((k = orr_utf8_seq(str + i, n - i)) == 0) return 0;
    i += k;
  }
}

/* (see buf.h) ASCII 16 bytes a step where SSE2 is there (every x86-64), 8 elsewhere;
** other characters by orr_utf8_seq, the one rule of what valid UTF-8 is. */
int orr_utf8_xml_chars(const char *str, size_t n, int cr) {
  const unsigned char *s = (const unsigned char *)str, *end = s + n;
  while (s < end) {
    unsigned c = *s;
    if (c < 0x80) {
#if defined(__SSE2__)
      const __m128i below = _mm_set1_epi8(0x20), tab = _mm_set1_epi8('\t'), nl = _mm_set1_epi8('\n'),
                    ret = cr ? _mm_set1_epi8('\r') : _mm_set1_epi8('\n');
      while (end - s >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
        /* (signed compares: only meaningful once no byte has its high bit set) */
        __m128i ctl = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, nl)),
                                                    _mm_cmpeq_epi8(v, ret)), _mm_cmplt_epi8(v, below));
        int m = _mm_movemask_epi8(_mm_or_si128(v, ctl));
        if (m != 0) { s += __builtin_ctz((unsigned)m); break; }    /* at the first byte to look at */
        s += 16;
      }
#else
      const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
      while (end - s >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        if (((w | ((w - ones * 0x20) & ~w)) & highs) != 0) break;    /* not ASCII, or a C0 */
        s += 8;
      }
#endif
      if (s == end || *s >= 0x80) continue;
      if (*s < 0x20 && *s != '\t' && *s != '\n' && !(cr && *s == '\r')) return 0;
      s++;
    } else {
      size_t k = orr_utf8_seq((const char *)s, (size_t)(end - s));
      if (k == 0 || (k == 3 && c == 0xEF && s[1] == 0xBF && s[2] >= 0xBE)) return 0;   /* (U+FFFE, U+FFFF) */
      s += k;
    }
  }
  return 1;
}

/* (see buf.h) */
size_t orr_xml_chars_strip(char *str, size_t n) {
  unsigned char *s = (unsigned char *)str;
  size_t i = 0, j = 0;
  while (i < n) {
    unsigned c = s[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') { i++; continue; }
    if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBF && s[i + 2] >= 0xBE) { i += 3; continue; }
    s[j++] = s[i++];
  }
  if (j < n) s[j] = '\0';
  return j;
}

/* Windows-1252 for U+0080..U+009F: feeds that declare Latin-1 or write &#146; mean these. */
static const unsigned short cp1252_c1[32] = {
  0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
  0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
  0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

static int c1(const unsigned char *s, size_t k) { return k == 2 && s[0] == 0xC2 && s[1] < 0xA0; }

/* orr_utf8_repair, and orr_utf8_from_mixed when cp1252 is set. */
static char *repair(const char *str, size_t n, int *bad, int cp1252) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, k;
  orr_buf b;
  *bad = 0;
  for (;;) {
    i = skip_ascii(s, i, n);
    if (i >= n) return NULL;
    k = orr_utf8_seq(str + i, n - i);
    if (k == 0 || c1(s + i, k)) break;
    i += k;
  }
  orr_buf_init(&b);
  orr_buf_add(&b, str, i);
  while (i < n) {
    k = orr_utf8_seq(str + i, n - i);
    if (k && c1(s + i, k)) {
      unsigned v = cp1252_c1[s[i + 1] - 0x80];
      if (v == 0) orr_buf_add(&b, str + i, k);            /* no Windows character there */
      else orr_buf_add_utf8(&b, v);
      i += k;
    } else if (k) { orr_buf_add(&b, str + i, k); i += k; }
    else if (cp1252 && s[i] >= 0xA0) { orr_buf_add_utf8(&b, s[i]); i++; }
    else if (cp1252 && s[i] >= 0x80 && cp1252_c1[s[i] - 0x80]) { orr_buf_add_utf8(&b, cp1252_c1[s[i] - 0x80]); i++; }
    else { orr_buf_adds(&b, "\xEF\xBF\xBD"); i++; }
  }
  if (!orr_buf_ok(&b)) { *bad = 1; orr_buf_free(&b); return NULL; }
  return orr_buf_take(&b);
}

char *orr_utf8_repair(const char *str, size_t n, int *bad) { return repair(str, n, bad, 0); }

char *orr_utf8_from_mixed(const char *str, size_t n, int *bad) { return repair(str, n, bad, 1); }

char *orr_utf8_map_c1(const char *str, size_t n, int *bad) {
  const unsigned char *s = (const unsigned char *)str, *p = s, *end = s + n;
  *bad = 0;
  while ((p = memchr(p, 0xC2, (size_t)(end - p))) != NULL) {
    if (p + 1 < end && p[1] >= 0x80 && p[1] < 0xA0) return orr_utf8_repair(str, n, bad);
    p++;
  }
  return NULL;
}

char *orr_buf_take(orr_buf *b) {
  char *p;
  if (b->oom) { orr_buf_free(b); return NULL; }
  if (b->data == NULL) { p = malloc(1); if (p) *p = '\0'; return p; }
  p = b->data;
  orr_buf_init(b);
  return p;
}

/* h as 16 lower-case hex digits and a NUL at out. */
static void hex16(uint64_t h, char *out) {
  static const char hex[] = "0123456789abcdef";
  int k;
  for (k = 15; k >= 0; k--) { out[k] = hex[h & 15]; h >>= 4; }
  out[16] = '\0';
}

void orr_hash_hex(const char *s, size_t n, char out[17]) {
  uint64_t h = 1469598103934665603ULL;
  size_t i;
  for (i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
  hex16(h, out);
}

/* One multiply-xorshift round per 8-byte word (its latency is the cost: ~2 bytes a cycle),
** the length folded in first so that pieces cannot slide between chained calls, and a
** final avalanche so every input bit reaches every output bit. */
unsigned long long orr_digest(unsigned long long h, const char *s, size_t n) {
  const uint64_t k = 0x9E3779B97F4A7C15ULL;
  uint64_t x = ((uint64_t)h ^ (uint64_t)n) * k, w;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    memcpy(&w, s + i, 8);
    x = (x ^ w) * k;
    x ^= x >> 29;
  }
  if (i < n) {
    w = 0;
    memcpy(&w, s + i, n - i);
    x = (x ^ w) * k;
  }
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ULL;
  x ^= x >> 32;
  x *= 0xD6E8FEB86659FD93ULL;
  x ^= x >> 32;
  return (unsigned long long)x;
}

void orr_digest_hex(unsigned long long h, char out[18]) {
  out[0] = '#';
  hex16((uint64_t)h, out + 1);
}
