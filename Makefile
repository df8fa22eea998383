# orrery — build, test, demo.  See README.md.
#
#   make            build ./orrery
#   make demo       install missing Debian packages (as root), build, render examples/planet to out/
#   make test       C unit tests + busted specs + end-to-end tests; last line "N passed, M failed"
#   make check      the same tests with ASan+UBSan (separate build dir)
#   make lint       luacheck over lua/ recipes/ tests/
#   make articles   full-article extraction scored on ../shared/articles (part of make bench)
#   make install PREFIX=/usr/local

PKG_CONFIG ?= pkg-config
PKGS       := lua5.4 libcurl libxml-2.0 sqlite3 readline jansson zlib libdeflate
PREFIX     ?= /usr/local
BUILD      ?= build
VERSION    := 0.2.0

DEB_PKGS   := build-essential pkg-config liblua5.4-dev lua5.4 libcurl4-openssl-dev libxml2-dev \
              libsqlite3-dev libreadline-dev libjansson-dev zlib1g-dev libdeflate-dev lua-busted lua-check python3 sqlite3 tmux \
              clang chromium tzdata tidy libxml2-utils

CFLAGS  ?= -g -O2
CFLAGS  += -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
           -Wstrict-prototypes -Wno-unused-parameter -pthread
CPPFLAGS += -Isrc -DORR_VERSION='"$(VERSION)"' -DORR_PREFIX='"$(PREFIX)"'
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm -pthread

ifdef SANITIZE
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

CORE_SRC := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard src/api/*.c)
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/%.o)
CTEST_SRC := $(wildcard tests/c/test_*.c)
CTEST_BIN := $(CTEST_SRC:tests/c/%.c=$(BUILD)/tests/%)

.PHONY: articles all orrery test unit check lint demo deps install clean bench fuzz fuzz-short
all: orrery

orrery: $(BUILD)/orrery
	ln -sf $(BUILD)/orrery $@

$(BUILD)/orrery: $(BUILD)/main.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h src/api/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/c/%.c tests/c/test.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/c $(LDFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS)

# The test driver runs every stage and prints the one closing "N passed, M failed" line.
# The whole suite, as CI runs it: the plain build (unit), the same again under ASan, UBSan
# and LeakSanitizer (check), and each fuzz target briefly (fuzz-short); one line at the end.
test:
	@sh tests/all.sh

# The suite once, with the plain build: the quick loop while working.
unit: orrery $(CTEST_BIN)
	@ORRERY_BUILD=$(BUILD) sh tests/run.sh

# ASan + UBSan (+ LeakSanitizer, on with ASan) over the whole suite; ./orrery is
# relinked to the normal build afterwards.
check:
	ORRERY_SANITIZED=1 $(MAKE) BUILD=build-san SANITIZE=address,undefined CFLAGS="-g -O1" unit; \
	  rc=$$?; $(MAKE) orrery >/dev/null; exit $$rc

lint: orrery
	luacheck -q lua recipes tests examples
	./orrery lua tests/lint/layers.lua src

deps:
	@sh .ci/deps.sh $(DEB_PKGS)

demo: deps
	$(MAKE) orrery
	./orrery run -c examples/planet/planet.lua
	@echo "demo rendered: open out/index.html"

# libFuzzer targets (clang): make fuzz FUZZ_SECONDS=60.  Seeds: tests/fixtures and, when
# present, the conformance corpus.  New crashes land in build-fuzz/crash-*.
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_CORE    := src/buf.c src/clock.c src/css.c src/date.c src/entry.c src/feed.c src/html.c src/htmltok.c \
                src/jsonfeed.c src/readable.c src/url.c src/xmlinput.c
FUZZ_TARGETS := feed html date scrape css
CORPUS_DIR   ?= ../shared/conformance/feedparser/cases

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_CORE) $(wildcard src/*.h)
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -Isrc $(shell $(PKG_CONFIG) --cflags libxml-2.0 jansson) -o $@ $< $(FUZZ_CORE) \
	  $(shell $(PKG_CONFIG) --libs libxml-2.0 jansson)

fuzz: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/corpus-$$t; \
	  seeds="tests/fixtures"; [ -d "$(CORPUS_DIR)" ] && seeds="$$seeds $(CORPUS_DIR)"; \
	  echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	  dict=""; [ -f tests/fuzz/fuzz_$$t.dict ] && dict="-dict=../tests/fuzz/fuzz_$$t.dict"; \
	  (cd build-fuzz && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	    -timeout=10 -print_final_stats=1 $$dict corpus-$$t $$(for s in $$seeds; do echo ../$$s; done) \
	    >fuzz_$$t.log 2>&1); rc=$$?; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY)' build-fuzz/fuzz_$$t.log; \
	  [ $$rc = 0 ] || { echo "fuzz_$$t failed: see build-fuzz/fuzz_$$t.log and build-fuzz/crash-*"; exit 1; }; \
	done

# Each fuzz target for FUZZ_SHORT seconds, as TAP lines (a phase of `make test`).
FUZZ_SHORT ?= 15
fuzz-short: $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	@sh tests/fuzz/short.sh $(FUZZ_SHORT) $(FUZZ_TARGETS)

# Benchmarks are programs that print figures and ratios against a peer run alongside.
BENCH_PKGS := newsboat python3-feedparser time curl libxml2-utils bc sfeed sqlite3

bench: orrery articles
	@sh .ci/deps.sh $(BENCH_PKGS)
	sh tests/bench/parse.sh
	bash tests/bench/refresh.sh
	bash tests/bench/planetpython.sh
	./orrery lua tests/bench/search.lua 100000

# Full-article extraction on ../shared/articles (91 real pages, human-marked text): F1 by the
# corpus's own scorer next to the published extractors', and the CPU per page.  With
# READABILITY= and TRAFILATURA= set to checkouts of those projects, also on their test
# pages, which nobody tuned on (tests/bench/articles_external.lua).
articles: orrery
	@mkdir -p $(BUILD)
	./orrery lua tests/bench/articles.lua $(ARTICLES) $(BUILD)/articles.json
	@if [ -n "$(READABILITY)" ]; then ./orrery lua tests/bench/articles_external.lua readability $(READABILITY); fi
	@if [ -n "$(TRAFILATURA)" ]; then ./orrery lua tests/bench/articles_external.lua trafilatura $(TRAFILATURA); fi

ARTICLES ?= ../shared/articles

# The man page and the bash completion are written by orrery from its command tables.
$(BUILD)/orrery.1: orrery $(wildcard lua/orrery/cli.lua lua/orrery/cmd/*.lua)
	./orrery help --man >$@
$(BUILD)/orrery.bash: orrery $(wildcard lua/orrery/cli.lua lua/orrery/cmd/*.lua)
	./orrery help --completion >$@

install: orrery $(BUILD)/orrery.1 $(BUILD)/orrery.bash
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/orrery $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(BUILD)/orrery $(DESTDIR)$(PREFIX)/bin/orrery
	cp -R lua recipes $(DESTDIR)$(PREFIX)/share/orrery/
	install -m 644 $(BUILD)/orrery.1 $(DESTDIR)$(PREFIX)/share/man/man1/orrery.1
	install -m 644 $(BUILD)/orrery.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/orrery

clean:
	rm -rf build build-san build-fuzz orrery out tests/tmp
