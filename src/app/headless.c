/*
 * Headless runs: build or load the engine, step it, write a metrics row
 * every K steps and at the final step, then save and export on request.
 * Messages go to stderr as "ouscope: ..."; nothing else is printed there.
 */
#include "config.h"

#include "headless.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvread.h"
#include "io/export.h"
#include "io/statefile.h"
#include "io/xmalloc.h"
#include "ouscope/fluct.h"

#define STATE_MAX_BYTES (64u << 20)

static struct ou_engine *
load_engine(const struct cli_opts *o, char **cause)
{
    char *buf, why[256];
    size_t len;
    struct ou_engine *e = NULL;
    if (statefile_read(o->load, STATE_MAX_BYTES, &buf, &len, cause) != 0)
        return NULL;
    enum ou_status st = ou_engine_load(&e, buf, len, why, sizeof why);
    free(buf);
    if (st != OU_OK) {
        *cause = xasprintf("%s: %s", o->load,
                           st == OU_EFORMAT ? why : ou_status_str(st));
        return NULL;
    }
    /* Knobs given on the command line override the saved ones. */
    const struct ou_config *c = &o->cfg;
    if ((o->set & CLI_SET_ETA))
        ou_engine_set_eta(e, c->eta);
    if ((o->set & CLI_SET_SIGMA))
        ou_engine_set_sigma(e, c->sigma);
    if ((o->set & CLI_SET_NOISE))
        ou_engine_set_noise(e, c->noise);
    if ((o->set & CLI_SET_MOMENTUM))
        ou_engine_set_momentum(e, c->momentum);
    if ((o->set & CLI_SET_FROZEN))
        ou_engine_set_frozen(e, c->frozen);
    if ((o->set & CLI_SET_OPTIM))
        ou_engine_set_optimizer(e, c->optim);
    if ((o->set & CLI_SET_BETA1))
        ou_engine_set_beta1(e, c->beta1);
    if ((o->set & CLI_SET_BETA2))
        ou_engine_set_beta2(e, c->beta2);
    if ((o->set & CLI_SET_RMS_DECAY))
        ou_engine_set_rms_decay(e, c->rms_decay);
    if ((o->set & CLI_SET_OPT_EPS))
        ou_engine_set_opt_eps(e, c->opt_eps);
    if ((o->set & CLI_SET_SAM_RHO))
        ou_engine_set_sam_rho(e, c->sam_rho);
    if ((o->set & CLI_SET_EMA))
        ou_engine_set_ema_steps(e, o->ema);
    if ((o->set & CLI_SET_BATCH) && ou_engine_set_batch(e, c->batch) != OU_OK) {
        *cause = xasprintf("--batch: expected a whole number in 1..%zu (the saved data has %zu "
                           "points), got %zu",
                           ou_engine_data(e)->n, ou_engine_data(e)->n, c->batch);
        ou_engine_destroy(e);
        return NULL;
    }
    return e;
}

struct ou_engine *
headless_make_engine(const struct cli_opts *o, char **cause)
{
    if (o->load)
        return load_engine(o, cause);
    struct ou_data *d = xmalloc(sizeof *d);
    struct ou_engine *e = NULL;
    enum ou_data_kind kind;
    if (ou_data_kind_parse(o->data, &kind)) {
        ou_data_builtin(d, kind, o->n, o->cfg.seed);
    } else {
        if (o->set & CLI_SET_N) {
            *cause = xasprintf("--n: only for built-in data sets; %s is a file", o->data);
            goto out;
        }
        if (csvread_file(o->data, d, cause) != 0)
            goto out;
    }
    if (o->cfg.batch > d->n) {
        if (o->set & CLI_SET_BATCH) {
            *cause = xasprintf("--batch: expected a whole number in 1..%zu (the number of data "
                               "points), got %zu",
                               d->n, o->cfg.batch);
            goto out;
        }
    }
    enum ou_status st = ou_engine_create(&e, &o->cfg, d);
    if (st != OU_OK) {
        *cause = xasprintf("cannot create the engine: %s", ou_status_str(st));
        e = NULL;
        goto out;
    }
    ou_engine_set_ema_steps(e, o->ema);
out:
    free(d);
    return e;
}

static int
write_outputs(const struct cli_opts *o, struct ou_engine *e)
{
    char *cause = NULL, *buf;
    size_t len;
    int rc = 0;
    if (o->save) {
        if (ou_engine_save(e, &buf, &len) != OU_OK)
            fatal("out of memory saving the state");
        if (statefile_write(o->save, buf, len, &cause) != 0) {
            fprintf(stderr, "ouscope: --save: %s\n", cause);
            free(cause);
            rc = 1;
        }
        free(buf);
    }
    if (o->export_params) {
        buf = export_params(e, &len);
        if (statefile_write(o->export_params, buf, len, &cause) != 0) {
            fprintf(stderr, "ouscope: --export-params: %s\n", cause);
            free(cause);
            rc = 1;
        }
        free(buf);
    }
    return rc;
}

int
headless_run(const struct cli_opts *o)
{
    char *cause = NULL;
    struct ou_engine *e = headless_make_engine(o, &cause);
    if (!e) {
        fprintf(stderr, "ouscope: %s\n", cause);
        free(cause);
        return 1;
    }
    FILE *f = stdout;
    if (strcmp(o->csv, "-") != 0 && !(f = fopen(o->csv, "w"))) {
        fprintf(stderr, "ouscope: --csv: %s: %s\n", o->csv, strerror(errno));
        ou_engine_destroy(e);
        return 1;
    }
    struct ou_metrics *m = xmalloc(sizeof *m);
    struct ou_fluct *fl = xmalloc(sizeof *fl);
    struct ou_projection pr = {0};
    struct ou_trace tr;
    int rc = 0;
    size_t ndir = 0;
    if (o->track) {
        enum ou_status fst = ou_fluct_enable(e, o->ou_window);
        if (fst != OU_OK) {
            fprintf(stderr, "ouscope: --ou-window: %s\n",
                    fst == OU_EINVAL ? "fluctuation tracking needs at most 64 data points"
                                     : ou_status_str(fst));
            free(m);
            free(fl);
            if (f != stdout)
                fclose(f);
            ou_engine_destroy(e);
            return 1;
        }
        ndir = ou_engine_data(e)->n;
    }
    export_metrics_header(f, o->project, ndir);

    const uint64_t start = ou_engine_step_count(e), end = start + o->steps;
    enum ou_status st = ou_engine_status(e);
    for (;;) {
        uint64_t now = ou_engine_step_count(e);
        if (ou_engine_metrics(e, m) != OU_OK)
            fprintf(stderr, "ouscope: eigenvalues of K did not converge at step %" PRIu64 "\n",
                    now);
        if (o->project)
            ou_engine_project(e, false, &pr);
        ou_engine_trace_take(e, &tr);
        export_metrics_row(f, e, m, &tr, o->project, &pr);
        if (o->track) {
            ou_fluct_get(e, fl);
            export_fluct_row(f, fl, ndir);
        }
        export_optim_row(f, e, m);
        fputc('\n', f);
        if (now >= end || st != OU_OK)
            break;
        /* Rows at multiples of --every, counted from step 0. */
        uint64_t next = (now / o->every + 1) * o->every;
        if (next > end)
            next = end;
        st = ou_engine_run(e, next - now, NULL);
    }
    if (st == OU_EDIVERGED) {
        fprintf(stderr,
                "ouscope: training diverged at step %" PRIu64 " (eta = %g, eta*lambda_max = %.3g "
                "at the last finite state; stability needs < 2)\n",
                ou_engine_step_count(e) + 1, ou_engine_config(e)->eta, m->eta_lambda);
        rc = 1;
    }
    if (fflush(f) != 0 || ferror(f)) {
        fprintf(stderr, "ouscope: --csv: write error: %s\n", strerror(errno));
        rc = 1;
    }
    if (f != stdout)
        fclose(f);
    if (write_outputs(o, e) != 0)
        rc = 1;
    free(m);
    free(fl);
    ou_engine_destroy(e);
    return rc;
}
