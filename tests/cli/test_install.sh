#!/bin/sh
# `make install` into a temporary DESTDIR: the command, headers, static and
# shared library (versioned soname, only the public API exported), lrfa.pc
# and lrfa(1); tools/example_fit.c built with `pkg-config --cflags --libs
# lrfa` alone and run; `make uninstall` removes exactly what was installed.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)
D=$TMP/dest
P=/opt/lrfa-test   # not the default, so lrfa.pc must follow PREFIX
make -s -C "$ROOT" install SAN=0 DESTDIR="$D" PREFIX="$P" >"$TMP/install.out" 2>&1 && ok || not_ok "make install: $(tail -3 "$TMP/install.out")"
for f in bin/lrfa include/lrfa/lrfa.h include/lrfa/solver.h lib/liblrfa.a lib/liblrfa.so lib/pkgconfig/lrfa.pc \
         share/man/man1/lrfa.1; do
    [ -e "$D$P/$f" ] && ok || not_ok "not installed: $f"
done
soname=$(readelf -d "$D$P/lib/liblrfa.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "liblrfa.so.0" ] && ok || not_ok "soname '$soname'"
# the shared library exports the functions the public headers declare, and nothing else
nm -D --defined-only "$D$P/lib/liblrfa.so" | awk '$2 ~ /[TDBR]/ {print $3}' | sed 's/@.*//' | sort -u >"$TMP/exported"
grep -hv 'static inline' "$ROOT"/include/lrfa/*.h | sed -n 's/.*\b\(lrfa_[a-z0-9_]*\)(.*/\1/p' | sort -u >"$TMP/declared"
extra=$(comm -23 "$TMP/exported" "$TMP/declared" | tr '\n' ' ')
[ -z "$extra" ] && ok || not_ok "exported but not declared in include/lrfa: $extra"
grep -q lrfa_fit "$TMP/exported" && ok || not_ok "lrfa_fit not exported"
# build the example with pkg-config alone, against the installed tree
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
flags=$(pkg-config --cflags --libs lrfa) && ok || not_ok "pkg-config --cflags --libs lrfa"
# shellcheck disable=SC2086
${CC:-cc} -o "$TMP/example" "$ROOT/tools/example_fit.c" $flags 2>"$TMP/cc.err" && ok || not_ok "example build: $(cat "$TMP/cc.err")"
run env LD_LIBRARY_PATH="$D$P/lib" "$TMP/example" "$ROOT/inputs/demo_rank8.mtx" 4
[ "$RC" -eq 0 ] && ok || not_ok "example run: exit $RC, $ERR"
# its figures: gd at the optimum, fa on its prediction (rank 4 of the rank-8 demo matrix)
echo "$OUT" | $PY -c "
import re, sys
lines = dict(l.split(':', 1) for l in sys.stdin.read().strip().splitlines())
gd = dict(re.findall(r'(\S+?)\s+([-0-9.e]+)', lines['gd'].replace('gap/||Y||', 'relgap')))
fa = dict(re.findall(r'(\S+?)\s+([-0-9.e]+)', lines['fa'].replace('gap/||Y||', 'relgap')))
assert abs(float(gd['relgap'])) < 1e-6, gd
assert abs(float(fa['error']) - float(fa['fa_pred'])) < 1e-6, fa
assert float(fa['relgap']) > 0.1, fa
" && ok || not_ok "example figures: $OUT"
env LD_LIBRARY_PATH="$D$P/lib" ldd "$TMP/example" | grep -q "$D$P/lib/liblrfa.so.0" && ok || not_ok "example not linked to the installed shared library"
# the manual page covers every command and option the help texts list
man_text=$(sed 's/\\e/\\/g; s/\\-/-/g' "$D$P/share/man/man1/lrfa.1")
for c in info fit compare sweep gen plot convert; do
    for o in $("$LRFA" $c --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        echo "$man_text" | grep -q -- "$o" && ok || not_ok "lrfa.1 lacks $c $o"
    done
done
# the Python package, where Debian's python3 finds it under PREFIX
pydir=$(find "$D$P/lib" -type d -name lrfa -path '*dist-packages*' | head -1)
[ -n "$pydir" ] && [ -f "$pydir/__init__.py" ] && [ -f "$pydir/_paths.py" ] && ok || not_ok "python package not installed"
out=$(cd "$TMP" && PYTHONPATH=$(dirname "$pydir") LRFA_LIBRARY="$D$P/lib/liblrfa.so.0" $PY -c "
import lrfa
r = lrfa.fit('$ROOT/inputs/demo_rank8.mtx', rank=4, rule='fa')
assert abs(r.error - r.fa_pred) < 1e-6 * r.fro_norm
print(lrfa.__file__)" 2>&1)
case "$out" in "$pydir"/*) ok ;; *) not_ok "installed python package: $out" ;; esac
# uninstall removes exactly what install put there
make -s -C "$ROOT" uninstall SAN=0 DESTDIR="$D" PREFIX="$P" >/dev/null 2>&1 && ok || not_ok "make uninstall"
left=$(find "$D" -type f -o -type l | head -5)
[ -z "$left" ] && ok || not_ok "left after uninstall: $left"
finish
