/* lrfa/lrfa.h: the whole public API of lrfa, low-rank factorization by
 * gradient descent and random feedback alignment. */
#ifndef LRFA_LRFA_H
#define LRFA_LRFA_H

#define LRFA_VERSION "0.1.0"

#include "status.h"
#include "comm.h"
#include "matrix.h"
#include "mmio.h"
#include "linalg.h"
#include "spectrum.h"
#include "rng.h"
#include "metrics.h"
#include "solver.h"
#include "outfile.h"
#include "gen.h"

#ifdef __cplusplus
extern "C" {
#endif
/* sizeof the public struct named ("lrfa_options", "lrfa_result", ...), or 0
 * for an unknown name: bindings that mirror the structs check their layout
 * against it (abi.c). */
size_t lrfa_type_size(const char *name);
#ifdef __cplusplus
}
#endif

#endif
