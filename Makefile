# bf-datavideos
#   make            build every program into bin/
#   make test       the whole test suite (installs packages, starts servers)
#   make demo       run the pipeline on the built-in match day
#   make bench      the figures
# Variables: PREFIX DESTDIR WERROR=1 SANITIZE=address,undefined V=1 BUILD BIN

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
SHAREDIR ?= $(PREFIX)/share/bf-datavideos
SYSCONFDIR ?= /etc/bf
UNITDIR  ?= /lib/systemd/system
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
BUILD    ?= build
BIN      ?= bin
CC       ?= cc

PKGS     := librabbitmq libcurl libcjson libpq libconfig libcrypto libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Wshadow -Wformat=2 -Wundef -Wmissing-prototypes \
            -Wstrict-prototypes -Wpointer-arith -Wvla
BF_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g $(WARN) \
             -I. $(PKG_CFLAGS)
ifeq ($(WERROR),1)
BF_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
BF_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -O1
BF_LDFLAGS += -fsanitize=$(SANITIZE)
endif
BF_CFLAGS += $(CFLAGS)
BF_LDFLAGS += $(LDFLAGS)
LIBS     := $(PKG_LIBS) -lpthread -lm

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRC   := $(wildcard lib/*.c) $(wildcard protocol/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/schema_gen.o
LIBBF     := $(BUILD)/libbf.a
SCHEMA    := $(sort $(wildcard schema/*.sql))

PROGRAMS  := $(BIN)/bfctl $(if $(wildcard producer/main.c),$(BIN)/bf-producer) \
             $(if $(wildcard consumers/lineups/main.c),$(BIN)/bf-lineups) \
             $(if $(wildcard consumers/results/main.c),$(BIN)/bf-results) \
             $(if $(wildcard consumers/tournament_stats/main.c),$(BIN)/bf-tournament-stats) \
             $(if $(wildcard consumers/renders/main.c),$(BIN)/bf-renders)

CONSUMER_COMMON := $(filter-out %/main.c,$(wildcard consumers/*.c))

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/unit/%)
INTEG_SRC := $(wildcard tests/integration/test_*.c)
INTEG_BIN := $(INTEG_SRC:tests/integration/%.c=$(BUILD)/tests/integration/%)
FAKES     := $(BUILD)/fakes/fake-sofascore $(BUILD)/fakes/fake-plainly \
             $(BUILD)/fakes/fake-apifootball
TEST_SUPPORT := $(wildcard tests/support/*.c)

.PHONY: all test check lint demo bench fuzz chaos install uninstall clean tests-build fakes

all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC $<")
	$(Q)$(CC) $(BF_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/schema_gen.c: $(SCHEMA) ops/dev/embed-schema
	@mkdir -p $(dir $@)
	$(Q)sh ops/dev/embed-schema $(SCHEMA) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/schema_gen.o: $(BUILD)/gen/schema_gen.c
	$(Q)$(CC) $(BF_CFLAGS) -c -o $@ $<

$(LIBBF): $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)/bfctl: $(patsubst %.c,$(BUILD)/%.o,$(wildcard ops/bfctl/*.c)) $(LIBBF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/bf-producer: $(patsubst %.c,$(BUILD)/%.o,$(wildcard producer/*.c)) $(LIBBF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/bf-lineups: $(patsubst %.c,$(BUILD)/%.o,$(wildcard consumers/lineups/*.c) $(CONSUMER_COMMON)) $(LIBBF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/bf-results: $(patsubst %.c,$(BUILD)/%.o,$(wildcard consumers/results/*.c) $(CONSUMER_COMMON)) $(LIBBF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/bf-tournament-stats: $(patsubst %.c,$(BUILD)/%.o,$(wildcard consumers/tournament_stats/*.c) $(CONSUMER_COMMON)) $(LIBBF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

$(BIN)/bf-renders: $(patsubst %.c,$(BUILD)/%.o,$(wildcard consumers/renders/*.c) $(CONSUMER_COMMON)) $(LIBBF)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

# A unit test links libbf.a, tests/support's t and testenv, and the module it tests with what
# that module calls: test_NAME_OBJ lists it (nothing for a test of libbf.a alone).
UNIT_SUPPORT_OBJ := $(BUILD)/tests/support/t.o $(BUILD)/tests/support/testenv.o
CONSUMER_COMMON_OBJ := $(CONSUMER_COMMON:%.c=$(BUILD)/%.o)
test_due_OBJ := $(BUILD)/producer/due.o
test_sofascore_OBJ := $(BUILD)/tests/support/parsers.o
test_apifootball_OBJ := $(BUILD)/tests/support/parsers.o
test_af_matchday_OBJ := $(BUILD)/tests/support/parsers.o
test_lineup_doc_OBJ := $(BUILD)/consumers/lineups/lineup.o $(CONSUMER_COMMON_OBJ)
test_result_doc_OBJ := $(BUILD)/consumers/results/result.o $(CONSUMER_COMMON_OBJ)

# Integration tests link everything: tests/support and every non-main .c of producer/ and
# consumers/.
BRANCH_SRC := $(filter-out %/main.c,$(wildcard producer/*.c consumers/*.c consumers/*/*.c))
TEST_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SUPPORT) $(BRANCH_SRC))

.SECONDEXPANSION:
$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $$($$*_OBJ) $(UNIT_SUPPORT_OBJ) $(LIBBF)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/integration/%: $(BUILD)/tests/integration/%.o $(TEST_OBJ) $(LIBBF)
	$(Q)$(CC) $(BF_LDFLAGS) -o $@ $^ $(LIBS)

# Each fake is its own file plus what they share: tests/fakes/fake.[ch] (all fakes) and
# tests/fakes/scenario.[ch] (the scenario engine of the fakes that replay one).
FAKE_SHARED := tests/fakes/fake.c tests/fakes/fake.h tests/fakes/scenario.c tests/fakes/scenario.h
$(BUILD)/fakes/fake-%: tests/fakes/fake_%.c $(FAKE_SHARED)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(BF_CFLAGS) $(shell pkg-config --cflags libmicrohttpd) $(BF_LDFLAGS) -o $@ \
		$(filter %.c,$^) $(shell pkg-config --libs libmicrohttpd libcjson) -lpthread -lm

tests-build: all $(UNIT_BIN) $(INTEG_BIN) $(FAKES)
fakes: $(FAKES)

test:
	$(Q)bash tests/run.sh

check: test

lint:
	$(Q)bash ops/dev/lint

demo:
	$(Q)bash tests/system/demo.sh

bench:
	$(Q)bash tests/bench/run.sh

fuzz:
	$(Q)FUZZ_SECONDS=$${FUZZ_SECONDS:-60} bash tests/fuzz/run.sh

# tests/system/chaos: the long chaos run on one broker node, then the three-node cluster run
chaos:
	$(Q)rc=0; bash tests/system/chaos/run.sh long || rc=1; bash tests/system/chaos/cluster.sh long || rc=1; exit $$rc

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR)/schema $(DESTDIR)$(SYSCONFDIR)
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(SCHEMA) $(DESTDIR)$(SHAREDIR)/schema/
	install -m 0644 ops/bf.conf.example $(DESTDIR)$(SHAREDIR)/bf.conf.example
	install -m 0644 ops/rabbitmq/definitions.json $(DESTDIR)$(SHAREDIR)/definitions.json
	install -d $(DESTDIR)$(UNITDIR)
	for u in ops/systemd/*.service ops/systemd/*.target; do \
		sed -e 's|/usr/local/bin/|$(BINDIR)/|g' -e 's|/usr/local/share/bf-datavideos|$(SHAREDIR)|g' \
			"$$u" > $(DESTDIR)$(UNITDIR)/$$(basename "$$u") && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$(basename "$$u"); done
	install -d $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0644 ops/systemd/sysusers.d/bf.conf $(DESTDIR)$(SYSUSERSDIR)/bf.conf
	install -m 0644 ops/systemd/tmpfiles.d/bf.conf $(DESTDIR)$(TMPFILESDIR)/bf.conf
	# the user bf and /var/lib/bf, /etc/bf (not into a DESTDIR: a package does that)
	if [ -z "$(DESTDIR)" ]; then \
		if command -v systemd-sysusers >/dev/null; then systemd-sysusers $(SYSUSERSDIR)/bf.conf; fi; \
		if command -v systemd-tmpfiles >/dev/null; then systemd-tmpfiles --create $(TMPFILESDIR)/bf.conf; fi; \
	fi
	install -m 0644 README.md $(DESTDIR)$(SHAREDIR)/README.md

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS)))
	rm -rf $(DESTDIR)$(SHAREDIR)
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(notdir $(wildcard ops/systemd/*.service ops/systemd/*.target)))
	rm -f $(DESTDIR)$(SYSUSERSDIR)/bf.conf $(DESTDIR)$(TMPFILESDIR)/bf.conf

clean:
	rm -rf $(BUILD) $(BIN)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
