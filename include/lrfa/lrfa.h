/* lrfa/lrfa.h: the whole public API of lrfa, low-rank factorization by
 * gradient descent and random feedback alignment. */
#ifndef LRFA_LRFA_H
#define LRFA_LRFA_H

#define LRFA_VERSION "0.1.0"

#include "status.h"
#include "matrix.h"
#include "mmio.h"
#include "linalg.h"
#include "spectrum.h"
#include "rng.h"
#include "metrics.h"
#include "solver.h"
#include "outfile.h"
#include "gen.h"

#endif
