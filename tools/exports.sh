#!/bin/sh
# tools/exports.sh HEADER...: the linker version script of liblrfa.so, which
# exports the functions the public headers declare and nothing else (the
# library's internal lrfa_ helpers stay local).
set -e
echo "LRFA_0 {"
echo "  global:"
# declared functions, not the static inline ones (defined in the headers)
grep -hv 'static inline' "$@" | sed -n 's/.*\b\(lrfa_[a-z0-9_]*\)(.*/\1/p' | grep -v '_fn$' | sort -u | sed 's/.*/    &;/'
echo "  local:"
echo "    *;"
echo "};"
