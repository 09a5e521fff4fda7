/*
 * The two-layer ReLU net with a 1D input as an engine model kind.
 */
#ifndef OUSCOPE_ENGINE_RELU_H
#define OUSCOPE_ENGINE_RELU_H

#include "ouscope/model.h"

extern const struct ou_model_kind ou_relu_kind;

#endif
