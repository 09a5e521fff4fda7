/*
 * CSV output: the metrics table of a headless run and the parameter dump.
 * Column meanings are documented in ouscope(1), OUTPUT.
 */
#ifndef OUSCOPE_IO_EXPORT_H
#define OUSCOPE_IO_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "ouscope/engine.h"

#include "ouscope/fluct.h"

/*
 * Header row of the metrics CSV: with the projection columns if asked, and
 * with the fluctuation columns for `ndir` directions if ndir > 0, then the
 * optimizer columns of export_optim_row.
 */
void export_metrics_header(FILE *f, bool project, size_t ndir);

/*
 * One metrics row for the engine's current step: metrics m, the trace since
 * the previous row, and the projection pr (ignored unless project).
 */
void export_metrics_row(FILE *f, const struct ou_engine *e, const struct ou_metrics *m,
                        const struct ou_trace *tr, bool project, const struct ou_projection *pr);

/* The fluctuation columns of one row (ndir directions; blank where not measured). */
void export_fluct_row(FILE *f, const struct ou_fluct *fl, size_t ndir);

/*
 * The last columns of every row, after the optional ones: the optimizer's
 * name and the implicit-regulariser readouts of m (igr, r_eta,
 * noise_lambda, unit_balance).
 */
void export_optim_row(FILE *f, const struct ou_engine *e, const struct ou_metrics *m);

/*
 * The parameters as CSV text in a new buffer (caller frees): a comment
 * block, then rows "unit,j,a,w,b,kink,slope_change", "bias,c" and
 * "point,i,x,y".
 */
char *export_params(const struct ou_engine *e, size_t *len);

#endif
