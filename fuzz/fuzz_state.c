/*
 * libFuzzer harness: the saved-state reader.  Any bytes must give either
 * an engine that saves back to text that loads again to the same text, or
 * OU_EFORMAT/OU_EINVAL with a one-line reason; never a crash or a leak.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ouscope/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    struct ou_engine *e = NULL;
    char why[256];
    why[0] = '\0';
    enum ou_status st = ou_engine_load(&e, (const char *)buf, len, why, sizeof why);
    if (st != OU_OK) {
        if (e || strchr(why, '\n'))
            abort();
        return 0;
    }
    /* A state that loads is a state: saving and loading it again is exact. */
    char *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    struct ou_engine *e2 = NULL;
    if (ou_engine_save(e, &t1, &n1) != OU_OK ||
        ou_engine_load(&e2, t1, n1, why, sizeof why) != OU_OK ||
        ou_engine_save(e2, &t2, &n2) != OU_OK || n1 != n2 || memcmp(t1, t2, n1) != 0)
        abort();
    /* And it runs: a few steps never misbehave, whatever the knobs. */
    uint64_t done;
    (void)ou_engine_run(e, 3, &done);
    free(t1);
    free(t2);
    ou_engine_destroy(e2);
    ou_engine_destroy(e);
    return 0;
}
