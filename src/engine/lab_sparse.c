/* The sparse setting of lab.c (ouscope-science(7), SETTINGS). */
#include "config.h"

#include "lab_impl.h"

const struct ou_lab_kind_ops ou_lab_sparse_ops = {.name = "sparse"};
