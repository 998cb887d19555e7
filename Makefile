# lrfa: low-rank factorization by gradient descent and feedback alignment.
#
#   make            the library, ./lrfa and the test programs
#   make demo       installs what is missing, then runs lrfa on a bundled input
#   make test       installs what is missing, then builds and runs every test
#   make check      the whole test suite built with ASan and UBSan
#   make bench      lrfa against NumPy/SciPy scripts and the machine's bounds:
#                   docs/benchmarks.md (several minutes; not part of make test)
#   make reproduce  reruns the checks of published claims about feedback alignment:
#                   docs/reproduction.md and its figures (minutes; not part of make test)
#   make deps       installs the Debian packages lrfa needs (quick when present)
#   lrfa-mpi        the command across processes (mpirun -np P lrfa-mpi ...), built
#                   by make when Open MPI is installed (make deps installs it)
#   make install    the command, headers, static and shared library, lrfa.pc and
#                   lrfa(1) under $(DESTDIR)$(PREFIX) (PREFIX=/usr/local); make
#                   uninstall removes exactly those

CC      ?= cc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wwrite-strings -Wundef -Wvla -Werror=implicit-function-declaration
# no floating-point contraction: results are the same bits on every machine
CFLAGS  ?= $(OPT) -g
# -fPIC: the same objects make the static and the shared library
ALL_CFLAGS = -std=c11 $(WARN) -ffp-contract=off -fno-math-errno -pthread -fPIC \
             -Iinclude -Isrc $(SAN_FLAGS) $(CFLAGS)
LDLIBS  := -llapacke -lopenblas -lm -pthread
TEST_LDLIBS := -lcunit

ifeq ($(SAN),1)
BUILD     := build/san
BIN       := build/san/lrfa
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD     := build/release
BIN       := lrfa
SAN_FLAGS :=
endif

LIB_SRC  := $(wildcard src/*.c)
CLI_SRC  := $(wildcard src/cli/*.c)
TEST_SRC := $(wildcard tests/unit/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/liblrfa.a
VERSION  := $(shell sed -n 's/^\#define LRFA_VERSION "\(.*\)"/\1/p' include/lrfa/lrfa.h)
SOMAJOR  := $(firstword $(subst ., ,$(VERSION)))
SHLIB    := $(BUILD)/liblrfa.so.$(VERSION)
PREFIX   ?= /usr/local
HEADERS  := $(wildcard include/lrfa/*.h)
PY_SRC   := $(wildcard python/lrfa/*.py)
# where Debian's python3 looks for packages under PREFIX
PYTHONDIR ?= $(PREFIX)/lib/python$(shell /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo 3)/dist-packages
TEST_BIN := $(BUILD)/test_lrfa
# the MPI command (lrfa-mpi), built when Open MPI's compiler wrapper is
# there (make deps installs it): the command's sources with LRFA_MPI, and
# src/mpi/; the plain lrfa and the library do not depend on MPI
MPICC    ?= mpicc
# (not in the sanitizer build: Open MPI's own allocations would be reported)
HAVE_MPI := $(if $(filter 1,$(SAN)),,$(shell command -v $(MPICC) >/dev/null 2>&1 && echo 1))
MPI_SRC  := $(wildcard src/mpi/*.c)
MPI_BIN  := $(if $(filter 1,$(SAN)),build/san/lrfa-mpi,lrfa-mpi)
MPI_OBJ  := $(MPI_SRC:%.c=$(BUILD)/mpi/%.o) $(CLI_SRC:%.c=$(BUILD)/mpi/%.o)
MPI_CHECK := $(BUILD)/mpi/read_check
EXAMPLE  := $(BUILD)/example_fit
BENCH    := $(BUILD)/bench_lrfa

.PHONY: all lib cli tests test unit-test cli-test mpi-test valgrind-test check demo deps clean bench fuzz fuzz-build \
        install uninstall FORCE python-test

all: lib cli tests $(EXAMPLE) $(if $(filter 1,$(SAN)),,$(SHLIB) $(BUILD)/lrfa.1) $(if $(HAVE_MPI),$(MPI_BIN) $(MPI_CHECK))

lib: $(LIB)
cli: $(BIN)
tests: $(TEST_BIN)

# objects are rebuilt when the flags change (the stamp holds the last ones)
$(BUILD)/.cflags: FORCE
	@mkdir -p $(BUILD); echo '$(ALL_CFLAGS)' | cmp -s - $@ || echo '$(ALL_CFLAGS)' >$@
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/.cflags
	@mkdir -p $(dir $@)
	@echo "  CC  $@"; $(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# the shared library exports only what include/lrfa/ declares (tools/exports.sh)
$(BUILD)/lrfa.map: $(HEADERS) tools/exports.sh
	@mkdir -p $(dir $@)
	@sh tools/exports.sh $(HEADERS) >$@
$(SHLIB): $(LIB_OBJ) $(BUILD)/lrfa.map
	@echo "  LD  $@"; $(CC) $(ALL_CFLAGS) -shared -Wl,-soname,liblrfa.so.$(SOMAJOR) \
	    -Wl,--version-script=$(BUILD)/lrfa.map -o $@ $(LIB_OBJ) $(LDLIBS)
	@ln -sf liblrfa.so.$(VERSION) $(BUILD)/liblrfa.so.$(SOMAJOR)
	@ln -sf liblrfa.so.$(SOMAJOR) $(BUILD)/liblrfa.so
# the manual page, from the command's own help texts
$(BUILD)/lrfa.1: $(BIN) tools/make-man.sh
	@sh tools/make-man.sh $(abspath $(BIN)) $(VERSION) >$@.tmp && mv $@.tmp $@

INSTALLED := bin/lrfa $(addprefix include/lrfa/,$(notdir $(HEADERS))) lib/liblrfa.a \
             lib/liblrfa.so.$(VERSION) lib/liblrfa.so.$(SOMAJOR) lib/liblrfa.so lib/pkgconfig/lrfa.pc \
             share/man/man1/lrfa.1
install: all
	@$(if $(filter 1,$(SAN)),echo "make install installs the release build: run it without SAN=1" >&2; exit 1;) \
	d='$(DESTDIR)$(PREFIX)'; set -e; \
	install -d "$$d/bin" "$$d/include/lrfa" "$$d/lib/pkgconfig" "$$d/share/man/man1"; \
	install -m 755 $(BIN) "$$d/bin/lrfa"; \
	install -m 644 $(HEADERS) "$$d/include/lrfa/"; \
	install -m 644 $(LIB) "$$d/lib/liblrfa.a"; \
	install -m 755 $(SHLIB) "$$d/lib/liblrfa.so.$(VERSION)"; \
	ln -sf liblrfa.so.$(VERSION) "$$d/lib/liblrfa.so.$(SOMAJOR)"; \
	ln -sf liblrfa.so.$(SOMAJOR) "$$d/lib/liblrfa.so"; \
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' tools/lrfa.pc.in >"$$d/lib/pkgconfig/lrfa.pc"; \
	chmod 644 "$$d/lib/pkgconfig/lrfa.pc"; \
	install -m 644 $(BUILD)/lrfa.1 "$$d/share/man/man1/lrfa.1"; \
	install -d '$(DESTDIR)$(PYTHONDIR)/lrfa'; \
	install -m 644 $(PY_SRC) '$(DESTDIR)$(PYTHONDIR)/lrfa/'; \
	echo 'LIBDIR = "$(PREFIX)/lib"' >'$(DESTDIR)$(PYTHONDIR)/lrfa/_paths.py'; \
	if [ -z '$(DESTDIR)' ] && command -v ldconfig >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then ldconfig; fi; \
	echo "installed lrfa $(VERSION) under $$d"
uninstall:
	@d='$(DESTDIR)$(PREFIX)'; for f in $(INSTALLED); do rm -f "$$d/$$f"; done; \
	rmdir "$$d/include/lrfa" 2>/dev/null || true; \
	for f in $(notdir $(PY_SRC)) _paths.py; do rm -f '$(DESTDIR)$(PYTHONDIR)/lrfa/'$$f; done; \
	rm -rf '$(DESTDIR)$(PYTHONDIR)/lrfa/__pycache__'; rmdir '$(DESTDIR)$(PYTHONDIR)/lrfa' 2>/dev/null || true; \
	echo "removed lrfa from $$d"

$(BIN): $(CLI_OBJ) $(LIB)
	@echo "  CC  $@"; $(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(BUILD)/mpi/%.o: %.c $(BUILD)/.cflags
	@mkdir -p $(dir $@)
	@echo "  MPICC $@"; $(MPICC) $(ALL_CFLAGS) -DLRFA_MPI -MMD -MP -c $< -o $@

$(MPI_BIN): $(MPI_OBJ) $(LIB)
	@echo "  MPICC $@"; $(MPICC) $(ALL_CFLAGS) -o $@ $(MPI_OBJ) $(LIB) $(LDLIBS)

$(MPI_CHECK): $(BUILD)/mpi/tests/mpi/read_check.o $(filter-out %/cli_mpi.o,$(MPI_SRC:%.c=$(BUILD)/mpi/%.o)) $(LIB)
	@echo "  MPICC $@"; $(MPICC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(TEST_BIN): $(TEST_OBJ) $(LIB)
	@echo "  CC  $@"; $(CC) $(ALL_CFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(TEST_LDLIBS) $(LDLIBS)

$(EXAMPLE): $(BUILD)/tools/example_fit.o $(LIB)
	@echo "  LD  $@"; $(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BENCH): $(BUILD)/tools/bench_lrfa.o $(LIB)
	@echo "  LD  $@"; $(CC) $(ALL_CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

# the benchmark (several minutes): writes docs/benchmarks.md
bench: deps
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory cli $(BENCH) $(if $(HAVE_MPI),$(MPI_BIN))
	sh tools/bench

deps:
	@sh tools/deps.sh

# unit tests run from tests/ so they find their data without ../shared
unit-test: $(TEST_BIN)
	cd tests && OPENBLAS_NUM_THREADS=2 ../$(TEST_BIN)

cli-test: $(BIN) $(EXAMPLE)
	LRFA=$(abspath $(BIN)) EXAMPLE=$(abspath $(EXAMPLE)) sh tests/cli/run.sh

test: deps
	$(MAKE) all
	$(MAKE) unit-test
	$(MAKE) cli-test
	$(MAKE) python-test
	$(MAKE) mpi-test

# the distributed reader (and, with MPI, lrfa-mpi) under mpirun, P = 1 .. 4
mpi-test: $(BIN) $(if $(HAVE_MPI),$(MPI_CHECK) $(MPI_BIN))
	@$(if $(HAVE_MPI),READ_CHECK=$(abspath $(MPI_CHECK)) LRFA=$(abspath $(BIN)) LRFA_MPI=$(abspath $(MPI_BIN)) sh tests/mpi/run.sh,echo "mpi-test: no mpicc: skipped (make deps installs Open MPI)")

# the Python module against the shared library of this build (Debian's python3, NumPy, SciPy)
python-test: $(BIN) $(SHLIB)
	PYTHONPATH=python LRFA=$(abspath $(BIN)) LRFA_LIBRARY=$(abspath $(SHLIB)) /usr/bin/python3 -m unittest \
	    discover -s python/tests -t python -v
check: deps
	$(MAKE) SAN=1 all
	ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86 \
	    $(MAKE) SAN=1 unit-test cli-test
	$(MAKE) valgrind-test
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

# ---- valgrind memcheck over the command-line tests ----
# lrfa (the release build) runs under memcheck through a wrapper; any error or
# definite leak goes to a per-process log in build/valgrind, and a non-empty
# log fails the target. The test files run as two shards, one per core.
# test_scipy.sh is left out: it runs the reader, spectrum and fits of
# test_info.sh and test_fit.sh again on the largest shared matrices, whose
# full SVDs take minutes each under memcheck.
VG_DIR := build/valgrind
VG_SHARD1 := $(addprefix tests/cli/,test_info.sh test_fit.sh test_compare.sh)
VG_SHARD2 := $(addprefix tests/cli/,test_errors.sh test_valid_edge.sh test_reliability.sh test_deep.sh)
valgrind-test: $(BIN) $(EXAMPLE)
	@mkdir -p $(VG_DIR) && chmod 1777 $(VG_DIR) && rm -f $(VG_DIR)/log.*
	@printf '#!/bin/sh\nOPENBLAS_NUM_THREADS=1 exec valgrind -q --error-exitcode=87 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --log-file=%s/log.%%p %s "$$@"\n' \
	    $(abspath $(VG_DIR)) $(abspath $(BIN)) >$(VG_DIR)/lrfa && chmod +x $(VG_DIR)/lrfa
	@echo "valgrind memcheck over the CLI tests (two shards)"
	@export LRFA=$(abspath $(VG_DIR)/lrfa) EXAMPLE=$(abspath $(EXAMPLE)) TEST_SLOWDOWN=10; \
	    CLI_LABEL="valgrind shard 1" sh tests/cli/run.sh $(VG_SHARD1) >$(VG_DIR)/shard1.out 2>&1 & p1=$$!; \
	    CLI_LABEL="valgrind shard 2" sh tests/cli/run.sh $(VG_SHARD2) >$(VG_DIR)/shard2.out 2>&1 & p2=$$!; \
	    wait $$p1; r1=$$?; wait $$p2; r2=$$?; cat $(VG_DIR)/shard1.out $(VG_DIR)/shard2.out; \
	    logs=$$(find $(VG_DIR) -name 'log.*' -size +0 | wc -l); \
	    runs=$$(find $(VG_DIR) -name 'log.*' | wc -l); \
	    echo "valgrind: $$runs lrfa processes, $$logs with reports"; \
	    if [ $$logs -ne 0 ]; then find $(VG_DIR) -name 'log.*' -size +0 | head -3 | xargs cat; fi; \
	    [ $$r1 -eq 0 ] && [ $$r2 -eq 0 ] && [ $$logs -eq 0 ]

# ---- fuzzing (libFuzzer, clang, with ASan and UBSan) ----
# make fuzz runs each target for FUZZ_SECONDS (default 60); the corpora grow
# in build/fuzz/corpus_*, seeded from the test files; crashes land in
# build/fuzz/ as crash-* files (add each as a test file once fixed)
FUZZ_SECONDS ?= 60
FUZZ_SEED ?= 1
FUZZ_DIR := build/fuzz
FUZZ_CC  := clang
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -ffp-contract=off -pthread -Iinclude -Isrc -Isrc/cli
FUZZ_CLI_SRC := $(filter-out src/cli/main.c,$(CLI_SRC))

$(FUZZ_DIR)/fuzz_mmio: tests/fuzz/fuzz_mmio.c $(LIB_SRC) $(wildcard src/*.h include/lrfa/*.h)
	@mkdir -p $(FUZZ_DIR)
	@echo "  CC  $@"; $(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_mmio.c $(LIB_SRC) $(LDLIBS)

$(FUZZ_DIR)/fuzz_options: tests/fuzz/fuzz_options.c $(LIB_SRC) $(FUZZ_CLI_SRC) $(wildcard src/*.h src/cli/*.h include/lrfa/*.h)
	@mkdir -p $(FUZZ_DIR)
	@echo "  CC  $@"; $(FUZZ_CC) $(FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_options.c \
	    $(FUZZ_CLI_SRC) $(LIB_SRC) $(LDLIBS)

fuzz-build: $(FUZZ_DIR)/fuzz_mmio $(FUZZ_DIR)/fuzz_options

fuzz: deps
	$(MAKE) fuzz-build
	@mkdir -p $(FUZZ_DIR)/corpus_mmio $(FUZZ_DIR)/corpus_options
	@cd $(FUZZ_DIR) && echo "fuzz_mmio for $(FUZZ_SECONDS) s" && \
	    ASAN_OPTIONS=detect_leaks=1 ./fuzz_mmio -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
	    -rss_limit_mb=4096 -print_final_stats=1 corpus_mmio ../../tests/bad ../../tests/edge \
	    ../../tests/degenerate ../../tests/fuzz/seeds_mmio >fuzz_mmio.log 2>&1; \
	    rc=$$?; grep -E "^(stat::|Done|==|SUMMARY)" fuzz_mmio.log; exit $$rc
	@cd $(FUZZ_DIR) && echo "fuzz_options for $(FUZZ_SECONDS) s" && \
	    LRFA_FUZZ_MATRIX=../../tests/degenerate/base_12x9.mtx ASAN_OPTIONS=detect_leaks=1 \
	    ./fuzz_options -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) -timeout=20 -close_fd_mask=3 -rss_limit_mb=4096 -print_final_stats=1 \
	    -dict=../../tests/fuzz/options.dict corpus_options ../../tests/fuzz/seeds_options >fuzz_options.log 2>&1; \
	    rc=$$?; grep -E "^(stat::|Done|==|SUMMARY)" fuzz_options.log; exit $$rc

DEMO := inputs/demo_rank8.mtx
DEMO_OUT := build/demo

# info on the bundled rank-8 matrix, one GD and one FA fit, then the two
# comparisons: compare at r = 4 and the sweep over r = 1..10, with plots
demo: deps
	@$(MAKE) --no-print-directory cli
	@mkdir -p $(DEMO_OUT)
	@echo; echo '$$ ./lrfa info $(DEMO)'
	@./lrfa info $(DEMO)
	@echo; echo '$$ ./lrfa fit $(DEMO) -r 4 --algo gd'
	@./lrfa fit $(DEMO) -r 4 --algo gd
	@echo; echo '$$ ./lrfa fit $(DEMO) -r 4 --algo fa'
	@./lrfa fit $(DEMO) -r 4 --algo fa
	@echo; echo '$$ ./lrfa compare $(DEMO) -r 4 --plot $(DEMO_OUT)/compare.png'
	@./lrfa compare $(DEMO) -r 4 --plot $(DEMO_OUT)/compare.png
	@echo; echo '$$ ./lrfa sweep $(DEMO) --ranks 1:10 --seeds 3 --csv $(DEMO_OUT)/sweep.csv --plot $(DEMO_OUT)/sweep.png'
	@./lrfa sweep $(DEMO) --ranks 1:10 --seeds 3 --csv $(DEMO_OUT)/sweep.csv --plot $(DEMO_OUT)/sweep.png
	@echo; echo 'plots: $(DEMO_OUT)/compare.png (GD and FA against the iteration) and'
	@echo '       $(DEMO_OUT)/sweep.png (error and overlap against the rank); table: $(DEMO_OUT)/sweep.csv'

# the published claims (tools/reproduce, and tools/reproduce_deep.py through the
# Python module): docs/reproduction.md, figures in docs/reproduction/, data in
# build/reproduce/; exit 1 when a prediction of the mathematics fails
.PHONY: reproduce
reproduce: deps
	@$(MAKE) --no-print-directory cli $(SHLIB)
	LRFA=$(abspath $(BIN)) LRFA_LIBRARY=$(abspath $(SHLIB)) sh tools/reproduce

clean:
	rm -rf build lrfa lrfa-mpi

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/tools/example_fit.d $(BUILD)/tools/bench_lrfa.d $(MPI_OBJ:.o=.d)
