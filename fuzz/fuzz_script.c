/*
 * libFuzzer harness: the demo script reader.  Any bytes must give either a
 * parsed script (which scaling and freeing must handle) or one refusal
 * line starting with "fuzz.ous:"; never a crash, leak or hang.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/script.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    struct script *s = NULL;
    char *cause = NULL;
    int r = script_parse("fuzz.ous", (const char *)buf, len, &s, &cause);
    if (r == 0) {
        if (!s || cause)
            abort();
        script_scale(s, 0.01);
        script_destroy(s);
    } else if (s || !cause || strncmp(cause, "fuzz.ous:", 9) != 0 || strchr(cause, '\n')) {
        abort();
    }
    free(cause);
    return 0;
}
