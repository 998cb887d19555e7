#!/bin/sh
# tools/make-man.sh LRFA VERSION: writes the manual page lrfa(1) on standard
# output from the command's own help texts (lrfa --help and every
# `lrfa COMMAND --help`), so the page lists every command and option exactly
# as the command does.
set -e
LRFA=$1
VERSION=$2
# the help texts come through pipes, where set -e sees nothing: check the command first
"$LRFA" --help >/dev/null
for c in info fit compare sweep gen plot convert; do "$LRFA" $c --help >/dev/null; done
roff() { # help text on stdin -> roff lines that print it as it is
    sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"
}
cat <<HEAD
.TH LRFA 1 "" "lrfa $VERSION" "User Commands"
.SH NAME
lrfa \\- low-rank matrix factorization by gradient descent, feedback alignment, direct feedback alignment, Kolen-Pollack and sign symmetry
.SH SYNOPSIS
.B lrfa
.I command
.RI [ options ]
.I FILE
.SH DESCRIPTION
lrfa fits Y ~ Z W, or a deep linear network Y ~ W_L ... W_1, to the matrix in a Matrix Market
file and reports how close each learning rule gets to the SVD optimum, how the forward weights
align with the feedback, where the feedback rules land, whether the conservation laws hold and
how different the learned representations are. Every command prints a table, or one JSON
object with
.BR \\-\\-json .
.PP
.nf
HEAD
"$LRFA" --help | roff
echo ".fi"
for c in info fit compare sweep gen plot convert; do
    echo ".SH \"LRFA $(echo $c | tr a-z A-Z)\""
    echo ".nf"
    "$LRFA" $c --help | roff
    echo ".fi"
done
cat <<'TAIL'
.SH EXIT STATUS
0 on success, 1 on bad input or options (with one line on standard error naming the file and
line where it applies), 2 on numerical failure such as divergence, 130 and 143 when interrupted
by SIGINT and SIGTERM.
.SH FILES
The library is liblrfa (static and shared), its headers are under include/lrfa/, and
.B pkg-config \-\-cflags \-\-libs lrfa
gives the flags to build against it.
.SH SEE ALSO
The README and docs/ of the lrfa sources: the mathematics, the benchmarks and the checks of
published claims.
TAIL
