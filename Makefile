# orrery — build, test, demo.  See README.md.
#
#   make            build ./orrery
#   make demo       install missing Debian packages (as root), build, render examples/planet to out/
#   make test       C unit tests + busted specs + end-to-end tests; last line "N passed, M failed"
#   make check      the same tests with ASan+UBSan (separate build dir)
#   make lint       luacheck over lua/ recipes/ tests/
#   make install PREFIX=/usr/local

PKG_CONFIG ?= pkg-config
PKGS       := lua5.4 libcurl libxml-2.0 sqlite3 readline
PREFIX     ?= /usr/local
BUILD      ?= build
VERSION    := 0.1.0

DEB_PKGS   := build-essential pkg-config liblua5.4-dev lua5.4 libcurl4-openssl-dev libxml2-dev \
              libsqlite3-dev libreadline-dev lua-busted lua-check python3 sqlite3 tmux

CFLAGS  ?= -g -O2
CFLAGS  += -std=c99 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
           -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -Isrc -DORR_VERSION='"$(VERSION)"' -DORR_PREFIX='"$(PREFIX)"'
CPPFLAGS += $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm

ifdef SANITIZE
CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

CORE_SRC := $(filter-out src/main.c,$(wildcard src/*.c)) $(wildcard src/api/*.c)
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/%.o)
CTEST_SRC := $(wildcard tests/c/test_*.c)
CTEST_BIN := $(CTEST_SRC:tests/c/%.c=$(BUILD)/tests/%)

.PHONY: all orrery test check lint demo deps install clean bench
all: orrery

orrery: $(BUILD)/orrery
	ln -sf $(BUILD)/orrery $@

$(BUILD)/orrery: $(BUILD)/main.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h src/api/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/c/%.c tests/c/test.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/c $(LDFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS)

# The test driver runs every stage and prints the one closing "N passed, M failed" line.
test: orrery $(CTEST_BIN)
	@ORRERY_BUILD=$(BUILD) sh tests/run.sh

# ASan + UBSan (+ LeakSanitizer, on with ASan) over the whole suite; ./orrery is
# relinked to the normal build afterwards.
check:
	$(MAKE) BUILD=build-san SANITIZE=address,undefined CFLAGS="-g -O1" test; \
	  rc=$$?; $(MAKE) orrery >/dev/null; exit $$rc

lint:
	luacheck -q lua recipes tests examples

deps:
	@sh .ci/deps.sh $(DEB_PKGS)

demo: deps
	$(MAKE) orrery
	./orrery run -c examples/planet/planet.lua
	@echo "demo rendered: open out/index.html"

# Benchmarks are programs that print figures and ratios against a peer run alongside.
bench: orrery
	./orrery lua tests/bench/search.lua 100000

install: orrery
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/orrery
	install -m 755 $(BUILD)/orrery $(DESTDIR)$(PREFIX)/bin/orrery
	cp -R lua recipes $(DESTDIR)$(PREFIX)/share/orrery/

clean:
	rm -rf build build-san orrery out tests/tmp
