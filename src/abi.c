/* abi.c: the sizes of the public structs, so that a binding which mirrors
 * them (the Python module) can check its layout against this build. */
#include <string.h>
#include "lrfa/lrfa.h"

size_t lrfa_type_size(const char *name)
{
    static const struct {
        const char *name;
        size_t size;
    } types[] = {
        {"lrfa_error", sizeof(lrfa_error)},       {"lrfa_dense", sizeof(lrfa_dense)},
        {"lrfa_sparse", sizeof(lrfa_sparse)},     {"lrfa_matrix", sizeof(lrfa_matrix)},
        {"lrfa_options", sizeof(lrfa_options)},   {"lrfa_progress", sizeof(lrfa_progress)},
        {"lrfa_layer_figures", sizeof(lrfa_layer_figures)}, {"lrfa_figures", sizeof(lrfa_figures)},
        {"lrfa_result", sizeof(lrfa_result)},     {"lrfa_problem", sizeof(lrfa_problem)},
    };
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(name, types[i].name)) return types[i].size;
    return 0;
}
