/* Label-noise SGD for the settings of lab.h (ouscope-science(7), SETTINGS). */
#include "config.h"

#include "ouscope/lab.h"

#include "lab_impl.h"
