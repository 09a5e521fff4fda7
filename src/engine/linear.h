/*
 * A linear model in frozen random features, as an engine model kind.
 */
#ifndef OUSCOPE_ENGINE_LINEAR_H
#define OUSCOPE_ENGINE_LINEAR_H

#include "ouscope/model.h"

extern const struct ou_model_kind ou_linear_kind;

#endif
