# liaison - build, test, demo, bench, install.
#
#   make            the library (build/libliaison.a) and the binary (build/liaison)
#   make check      deps, then every test: unit (Criterion) and CLI (bats), built
#                   with gcc, a clang build, and the whole suite again under
#                   ASan+UBSan; the last line is "N passed, N failed"
#   make check-valgrind  the unit and CLI tests under valgrind memcheck
#   make demo       deps, then 2019 replayed by two nodes, JPN and KOR, as daemons
#   make bench      benchmarks (bench/), each against a named peer (bench/store:
#                   the store engines, with one and two daemons)
#   make console-shots  the web console's screenshots (docs/console/) retaken
#   make soak       the daemon under mixed load for SOAK_SECONDS (300): memory, latency
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        a Debian package (dpkg-buildpackage, debian/), checked by lintian
#   make deps       installs missing Debian packages (as root) or prints how

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS     = sqlite3 jansson libsodium libcrypto libmicrohttpd libcurl libpq libsystemd
# the libraries the binary loads when first needed (src/sys/lazy.h), not at
# start: it links the others; the tests and fuzzers, which call some of
# them directly, link all
LAZY     = libmicrohttpd libcurl libpq libsystemd
WARN     = -std=c17 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CPPFLAGS = -D_POSIX_C_SOURCE=200809L -isystem $(BLAKE3)
OPT     ?= -O2 -g
SAN     ?=
CFLAGS   = $(WARN) $(OPT) $(SAN) -pthread $(shell pkg-config --cflags $(PKGS))
LDLIBS   = $(shell pkg-config --libs $(filter-out $(LAZY),$(PKGS))) -pthread
LAZY_LIBS = $(shell pkg-config --libs $(LAZY))
CRITERION_LIBS = $(shell pkg-config --libs criterion)

# BLAKE3, the content hash of envelopes from version 4: the BLAKE3 team's
# own C code (CC0 or Apache-2.0), as Debian ships it in librust-blake3-dev
# (its c/ folder), compiled into the library with its x86-64 vector code
BLAKE3  ?= $(or $(lastword $(sort $(wildcard /usr/share/cargo/registry/blake3-*/c))),blake3-is-missing)
ARCH    := $(firstword $(subst -, ,$(shell $(CC) -dumpmachine)))
BLAKE3_SRC = blake3.c blake3_dispatch.c blake3_portable.c
ifeq ($(ARCH),x86_64)
BLAKE3_SRC += blake3_sse2_x86-64_unix.S blake3_sse41_x86-64_unix.S \
              blake3_avx2_x86-64_unix.S blake3_avx512_x86-64_unix.S
BLAKE3_DEFS =
else ifeq ($(ARCH),aarch64)
BLAKE3_SRC += blake3_neon.c
BLAKE3_DEFS = -DBLAKE3_USE_NEON=1
else
BLAKE3_DEFS = -DBLAKE3_NO_SSE2 -DBLAKE3_NO_SSE41 -DBLAKE3_NO_AVX2 -DBLAKE3_NO_AVX512
endif
BLAKE3_OBJ = $(patsubst %,$(BUILD)/obj/blake3/%.o,$(BLAKE3_SRC))

LIB_SRC  = $(wildcard src/core/*.c src/crypto/*.c src/log/*.c src/store/*.c \
                      src/node/*.c src/net/*.c src/sys/*.c)
CLI_SRC  = $(wildcard src/cli/*.c)
TEST_SRC = $(wildcard tests/unit/test_*.c)
BENCH_SRC = $(wildcard bench/bench_*.c)

# the web console's files, built into the library as C (scripts/embed.sh)
CONSOLE  = $(sort $(wildcard console/*))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/console_assets.o $(BLAKE3_OBJ)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TESTS    = $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS    = $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
BENCHES  = $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all tests check check-valgrind demo bench soak console-shots install uninstall clean deps lint banned faces fuzz man deb \
        fuzz-build \
        check-run build-all
.DELETE_ON_ERROR:

all: $(BUILD)/liaison

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

# BLAKE3's own files, with their own warnings (not ours: -Werror is for our code)
$(BUILD)/obj/blake3/%.o: $(BLAKE3)/%
	@mkdir -p $(dir $@)
	$(CC) $(OPT) $(SAN) $(BLAKE3_DEFS) -MMD -MP -c $< -o $@

# (the one file of ours that includes its header)
$(BUILD)/obj/src/crypto/hasher.o build/fuzz/obj/src/crypto/hasher.o: $(BLAKE3)/blake3.h

# without the package, a source of it is a file no rule makes: say why
blake3-is-missing/%:
	@echo "BLAKE3's C code is missing: install Debian's librust-blake3-dev (make deps)" >&2; exit 1

# (the fuzz targets' own copy too: a build never writes another's files)
$(BUILD)/gen/console_assets.c build/fuzz/gen/console_assets.c: $(CONSOLE) console scripts/embed.sh
	@mkdir -p $(dir $@)
	sh scripts/embed.sh $(CONSOLE) >$@

$(BUILD)/obj/gen/console_assets.o: $(BUILD)/gen/console_assets.c src/net/assets.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -c $< -o $@

$(BUILD)/libliaison.a: $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/liaison: $(CLI_OBJ) $(BUILD)/libliaison.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(wildcard tests/unit/*.h) $(BUILD)/libliaison.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libliaison.a \
	    $(CRITERION_LIBS) $(LDLIBS) $(LAZY_LIBS)

# a hostile peer's own software, for the CLI tests (tests/tools/*.c)
$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libliaison.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libliaison.a $(LDLIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libliaison.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Isrc -o $@ $< $(BUILD)/libliaison.a $(LDLIBS)

tests: $(BUILD)/liaison $(TESTS) $(TOOLS)

build-all: all tests

deps:
	@sh scripts/deps.sh

check: deps
	@sh scripts/check.sh

# The package is built from a copy of the tree (dpkg-buildpackage writes
# beside its source): ../liaison_VERSION_ARCH.deb lands in build/deb/.
deb:
	@sh scripts/deps.sh deb
	rm -rf build/deb && mkdir -p build/deb/src
	git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t build/deb/src
	cd build/deb/src && dpkg-buildpackage -us -uc -b
	lintian --fail-on error build/deb/*.deb
	@ls build/deb/*.deb

demo: deps
	@$(MAKE) -s --no-print-directory all
	@bash scripts/demo.sh $(BUILD)/liaison

check-valgrind: deps
	@$(MAKE) -s --no-print-directory build-all
	@pg=/tmp/liaison-valgrind-pg-$$$$; \
	LIAISON_TEST_PG=$$(sh scripts/pg.sh start $$pg) || exit 1; export LIAISON_TEST_PG; \
	trap 'sh scripts/pg.sh stop '$$pg EXIT; \
	for t in $(TESTS); do echo "== $$t"; env -u LIAISON_TEST_PG valgrind -q --trace-children=yes \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    $$t --jobs 1 || exit 1; done; \
	echo "== $(BUILD)/tests/test_store on PostgreSQL"; valgrind -q --trace-children=yes \
	    --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    $(BUILD)/tests/test_store --jobs 1 || exit 1; \
	LIAISON_BIN=$(CURDIR)/scripts/valgrind-liaison bats tests/cli

# the console's screenshots in docs/console/ (docs/console.md), taken anew
# by its browser tests; squeezed by pngquant when it is installed
console-shots: all
	CONSOLE_SHOTS=$(CURDIR)/docs/console sh tests/console/run.sh $(BUILD)/liaison
	@! command -v pngquant >/dev/null || for f in docs/console/*.png; do \
	    pngquant --quality 70-95 --skip-if-larger --force --output "$$f" "$$f"; done

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) -s --no-print-directory all $(BENCHES)
	@for b in $(filter-out %/bench_decide,$(BENCHES)); do echo "== $$b"; $$b || exit 1; done
	@echo "== bench/seal.sh"; sh bench/seal.sh $(BUILD)/liaison
	@echo "== bench/decide (liaison against Cedar)"; sh bench/decide/run.sh $(BUILD)/bench/bench_decide
	@echo "== bench/http (liaison serve against nginx, with wrk)"; sh bench/http/run.sh $(BUILD)/liaison
	@echo "== bench/store (SQLite against PostgreSQL, one and two daemons)"; sh bench/store/run.sh $(BUILD)/liaison
	@echo "== bench/console (the console's first page in Chromium, against python3 -m http.server)"; node bench/console.mjs $(BUILD)/liaison

soak:
	@sh scripts/deps.sh bench
	@$(MAKE) -s --no-print-directory all
	@sh bench/soak.sh $(BUILD)/liaison

FUZZ_SECONDS ?= 60
FUZZERS = $(patsubst fuzz/%.c,build/fuzz/%,$(wildcard fuzz/fuzz_*.c))
FUZZ_FLAGS = -std=c17 -D_POSIX_C_SOURCE=200809L -isystem $(BLAKE3) -g -O1 -Isrc \
             -fsanitize=address,undefined $(shell pkg-config --cflags $(PKGS))
FUZZ_OBJ = $(LIB_SRC:%.c=build/fuzz/obj/%.o) build/fuzz/obj/gen/console_assets.o \
           $(patsubst %,build/fuzz/obj/blake3/%.o,$(BLAKE3_SRC))

# the library once, instrumented for libFuzzer; each target links it
build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

build/fuzz/obj/blake3/%.o: $(BLAKE3)/%
	@mkdir -p $(dir $@)
	clang -g -O1 -fsanitize=address,undefined $(BLAKE3_DEFS) -MMD -MP -c $< -o $@

build/fuzz/obj/gen/console_assets.o: build/fuzz/gen/console_assets.c src/net/assets.h
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/libliaison.a: $(FUZZ_OBJ)
	rm -f $@
	ar rcs $@ $^

build/fuzz/%: fuzz/%.c build/fuzz/libliaison.a
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/libliaison.a $(LDLIBS) $(LAZY_LIBS)

fuzz-build: $(FUZZERS)

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZERS)
	@for f in $(FUZZERS); do n=$${f#build/fuzz/fuzz_}; mkdir -p fuzz/corpus-new/$$n; \
	    echo "== $$f for $(FUZZ_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 fuzz/corpus-new/$$n fuzz/corpus/$$n \
	        >build/fuzz/$$n.log 2>&1; rc=$$?; tail -2 build/fuzz/$$n.log; \
	    [ $$rc -eq 0 ] || { echo "fuzz_$$n failed: see build/fuzz/$$n.log"; exit 1; }; done

banned:
	@! grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets)\s*\(' \
	    $(LIB_SRC) $(CLI_SRC) src/*/*.h || { echo "banned function used"; exit 1; }

# the faces reach the store through node/ only (docs/architecture.md)
faces:
	@! grep -nE '#include "\.\./store/' src/cli/*.[ch] src/net/*.[ch] || \
	    { echo "src/cli and src/net go through node/, never a store header"; exit 1; }

lint: banned faces
	clang-format --dry-run --Werror $(LIB_SRC) $(CLI_SRC) src/*/*.h

# the manual: liaison(1) and liaison-COMMAND(1), mdoc written by the binary
# from each command's own help (src/cli/help.c), so --help and man agree
man: $(BUILD)/liaison
	@mkdir -p $(BUILD)/man
	$(BUILD)/liaison help --man >$(BUILD)/man/liaison.1
	for c in $$($(BUILD)/liaison __complete -- ""); do \
	    [ "$$c" = help ] || $(BUILD)/liaison help --man $$c >$(BUILD)/man/liaison-$$c.1 || exit 1; \
	done

install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/share/doc/liaison/examples $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(BUILD)/liaison $(DESTDIR)$(PREFIX)/bin/liaison
	install -m 0644 $(BUILD)/libliaison.a $(DESTDIR)$(PREFIX)/lib/libliaison.a
	install -m 0644 README.md docs/*.md docs/openapi.yaml $(DESTDIR)$(PREFIX)/share/doc/liaison/
	install -m 0644 examples/*.json $(DESTDIR)$(PREFIX)/share/doc/liaison/examples/
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 completions/liaison.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/liaison
	install -m 0644 completions/_liaison $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_liaison
	for d in core crypto log store node; do \
	    install -d $(DESTDIR)$(PREFIX)/include/liaison/$$d && \
	    install -m 0644 src/$$d/*.h $(DESTDIR)$(PREFIX)/include/liaison/$$d/ || exit 1; \
	done
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@PKGS@|$(PKGS)|' contrib/liaison.pc.in \
	    >$(DESTDIR)$(PREFIX)/lib/pkgconfig/liaison.pc
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed -e 's|/usr/local/bin/liaison|$(PREFIX)/bin/liaison|' contrib/liaison.service \
	    >$(DESTDIR)$(PREFIX)/lib/systemd/system/liaison.service

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/liaison $(DESTDIR)$(PREFIX)/lib/libliaison.a \
	    $(DESTDIR)$(PREFIX)/share/man/man1/liaison.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man1/liaison-*.1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/liaison \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_liaison
	rm -rf $(DESTDIR)$(PREFIX)/share/doc/liaison $(DESTDIR)$(PREFIX)/include/liaison
	rm -f $(DESTDIR)$(PREFIX)/lib/pkgconfig/liaison.pc \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/liaison.service

clean:
	rm -rf build

-include $(wildcard $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d))
