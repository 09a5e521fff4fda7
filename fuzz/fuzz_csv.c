/*
 * libFuzzer harness: the data CSV reader.  Any bytes must give either a
 * valid data set (checked again by the engine's own validator) or a
 * one-line refusal that names the file; never a crash, leak or hang.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvread.h"
#include "ouscope/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    static struct ou_data d;
    char *cause = NULL;
    int r = csvread_parse("fuzz.csv", (const char *)buf, len, &d, &cause);
    if (r == 0) {
        if (cause || ou_data_validate(&d, NULL) != OU_OK)
            abort();
    } else {
        if (!cause || strncmp(cause, "fuzz.csv", 8) != 0 || strchr(cause, '\n'))
            abort();
    }
    free(cause);
    return 0;
}
