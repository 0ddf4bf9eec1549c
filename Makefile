# kgrender — see README.md. `make` builds bin/kgrender; `make test` runs every test.
CC ?= cc
PREFIX ?= /usr/local
SAN ?=
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Wshadow -MMD -MP
# One folder per subsystem (src/*/); headers are included by name.
SRC_DIRS = $(sort $(dir $(wildcard src/*/*.c)))
CFLAGS += $(addprefix -I,$(SRC_DIRS))
# libcurl is dlopen()ed on first use (src/core/http.c), so it is not linked.
PKGS = yaml-0.1 libxxhash libcrypto
LDLIBS = $(shell pkg-config --libs $(PKGS)) -lm -pthread -ldl

ifeq ($(FUZZ),1)
  # libFuzzer targets (make fuzz): the library objects built for fuzzing.
  CC = clang
  BUILD = build/fuzz
  CFLAGS += -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  BIN = $(BUILD)/kgrender
else ifeq ($(SAN),1)
  BUILD = build/san
  CFLAGS += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
  LDFLAGS += -fsanitize=address,undefined
  BIN = $(BUILD)/kgrender
else
  BUILD = build/rel
  BIN = bin/kgrender
endif

SRCS = $(wildcard src/*/*.c)
OBJS = $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/embedded.o
LIB_OBJS = $(filter-out $(BUILD)/cmd/main.o,$(OBJS))
DATA = $(shell find src/data -type f)
UNIT_SRCS = $(wildcard test/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:test/unit/%.c=$(BUILD)/unit/%.o)
UNIT_BIN = $(BUILD)/unit-tests

.PHONY: all test test-quick example test-san unit bench bench-apply install golden setup testenv clean fuzz-diff fuzz
all: $(BIN)

$(BIN): $(OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/embedded.S: tools/embed.sh $(DATA)
	@mkdir -p $(BUILD)
	tools/embed.sh $@

$(BUILD)/embedded.o: $(BUILD)/embedded.S
	$(CC) -c -o $@ $<

# Unit tests (cmocka): test/unit/*.c linked with every object but main.o.
$(BUILD)/unit/%.o: test/unit/%.c
	@mkdir -p $(BUILD)/unit
	$(CC) $(CFLAGS) -c -o $@ $<

$(UNIT_BIN): $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(LIB_OBJS) $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	$(UNIT_BIN)

# The README's test command (and .ci/run's): installs what is missing, builds
# kgrender and the test control plane, runs every suite (unit, golden,
# kustomize's own cases, end-to-end), then the ASan+UBSan pass; ends with
# "N passed, N failed".
test:
	tools/check

# The suites alone, on what is already built and installed (no setup, no sanitizer pass).
test-quick: all $(UNIT_BIN)
	KGRENDER=$(abspath $(BIN)) UNIT_BIN=$(abspath $(UNIT_BIN)) KGR_SAN=$(if $(filter 1,$(SAN)),1,0) test/run

test-san:
	$(MAKE) SAN=1 test-quick

# helm for Plugin resources: $HELM, else the test environment's, else helm on PATH.

# The main job on the bundled example, from a fresh machine: every plugin of
# the catalogue rendered from local charts (no network).
# The bundled plugins render through helm: without one on the machine, the
# test environment's pinned helm is built first (Go module proxy, about a minute).
example:
	tools/setup
	$(MAKE) all
	@[ -n "$$HELM" ] || [ -x tools/testenv/bin/helm ] || command -v helm >/dev/null || TESTENV_ONLY=helm tools/testenv/build
	@h=$${HELM:-}; [ -n "$$h" ] || { [ -x tools/testenv/bin/helm ] && h=$(CURDIR)/tools/testenv/bin/helm; } || h=helm; \
	  echo "HELM=$$h $(BIN) build overlays/default" >&2; HELM=$$h $(BIN) build overlays/default

# Differential fuzzing against kubectl kustomize (test/fuzz-diff/fuzz.py): SEEDS
# random trees from seed SEED, in JOBS parallel jobs; KEEP=1 keeps every tree
# in build/fuzz-diff/SEED. REPLAY=N rebuilds seed N only, keeps its tree and
# shows the difference. Ends with a summary; fails on a disagreement that
# test/fuzz-diff/known.txt does not list.
SEEDS ?= 150
SEED ?= 1
JOBS ?= 2
fuzz-diff: all
	python3 test/fuzz-diff/fuzz.py --kgrender $(BIN) --jobs $(JOBS) \
	  $(if $(REPLAY),--replay $(REPLAY) --keep build/fuzz-diff,--seeds $(SEEDS) --seed $(SEED) $(if $(KEEP),--keep build/fuzz-diff))

# libFuzzer targets (test/fuzz/fuzz_*.c, clang with ASan and UBSan): each
# runs FUZZ_SECONDS from its seed corpus test/fuzz/corpus/TARGET (new inputs
# go to build/fuzz/corpus/TARGET, crashes to build/fuzz/artifacts/); fails
# when any finds a crash, hang, leak or sanitizer report. FUZZ_TARGETS picks some.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/fuzz_*.c))
fuzz:
	$(MAKE) -j2 FUZZ=1 $(addprefix build/fuzz/bin/,$(FUZZ_TARGETS))
	test/fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

ifeq ($(FUZZ),1)
build/fuzz/bin/%: test/fuzz/%.c test/fuzz/fuzz.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< $(LIB_OBJS) $(LDLIBS)
endif

# Regenerates test/golden/cases/*/want.* with kubectl kustomize.
golden:
	test/golden/regenerate

bench: all
	KGRENDER=$(abspath $(BIN)) tools/bench

# kgrender apply against kubectl apply --server-side (and helm install) on fresh
# tools/testenv control planes; table in build/bench-apply.md.
bench-apply: all
	KGRENDER=$(abspath $(BIN)) tools/bench-apply

testenv:
	tools/testenv/build

setup:
	tools/setup

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 bin/kgrender $(DESTDIR)$(PREFIX)/bin/kgrender

clean:
	rm -rf build bin

-include $(OBJS:.o=.d) $(UNIT_OBJS:.o=.d)
