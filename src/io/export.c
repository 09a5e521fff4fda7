/*
 * CSV writers.  Doubles are printed with 17 significant digits, enough to
 * read back the same binary value.
 */
#include "config.h"

#include "export.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

void
export_metrics_header(FILE *f, bool project, size_t ndir)
{
    fputs("step,loss,reg,reg_ema,loss_mean,reg_mean,grad_reg_norm,theta_norm,path_l1,path_l2,"
          "balance,live_units,active_frac,lambda_max,eta_lambda,loss_floor,tv_hprime,spline_tv,"
          "max_dev_spline,kinks,convex_h,convex_data,eta,sigma,batch,momentum,noise,frozen,"
          "status",
          f);
    if (project)
        fputs(",proj_reg,proj_loss,proj_iters", f);
    if (ndir > 0) {
        fputs(",clock,window,windows,ptreg_norm,drift_pred,reg_slope,total_var,tangent_var", f);
        for (size_t k = 1; k <= ndir; k++)
            fprintf(f, ",lambda_k%zu,var_k%zu,var_pred_k%zu,res_var_k%zu,res_var_pred_k%zu,acf1_k%zu", k,
                    k, k, k, k, k);
    }
    fputs(",optimizer,igr,r_eta,noise_lambda,unit_balance,igr_rms", f);
    fputc('\n', f);
}

void
export_optim_row(FILE *f, const struct ou_engine *e, const struct ou_metrics *m)
{
    fprintf(f, ",%s,%.17g,%.17g,%.17g,%.17g,%.17g", ou_optim_kind_name(ou_engine_config(e)->optim),
            m->igr, m->r_eta, m->noise_lambda, m->unit_balance, m->igr_rms);
}

void
export_fluct_row(FILE *f, const struct ou_fluct *fl, size_t ndir)
{
    fprintf(f, ",%.17g,%" PRIu64 ",%" PRIu64, fl->clock, fl->window, fl->windows);
    if (!fl->valid) {
        for (size_t k = 0; k < 5 + 6 * ndir; k++)
            fputc(',', f);
        return;
    }
    fprintf(f, ",%.17g,%.17g,", fl->ptreg_norm, fl->drift_pred);
    if (isfinite(fl->reg_slope))
        fprintf(f, "%.17g", fl->reg_slope);
    fprintf(f, ",%.17g,%.17g", fl->total_var, fl->tangent_var);
    for (size_t k = 0; k < ndir; k++) {
        if (k < fl->ndir)
            fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g", fl->lambda[k], fl->var[k],
                    fl->var_pred[k], fl->res_var[k], fl->res_var_pred[k], fl->acf1[k]);
        else
            fputs(",,,,,,", f);
    }
}

void
export_metrics_row(FILE *f, const struct ou_engine *e, const struct ou_metrics *m,
                   const struct ou_trace *tr, bool project, const struct ou_projection *pr)
{
    const struct ou_config *c = ou_engine_config(e);
    double lm = tr->steps ? tr->loss_sum / (double)tr->steps : m->loss;
    double rm = tr->steps ? tr->reg_sum / (double)tr->steps : m->reg;
    fprintf(f,
            "%" PRIu64 ",%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%zu,%.17g,"
            "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%zu,%d,%d,%.17g,%.17g,%zu,%.17g,%s,%d,%s",
            ou_engine_step_count(e), m->loss, m->reg, m->reg_ema, lm, rm, m->grad_reg_norm,
            m->theta_norm, m->path_l1, m->path_l2, m->balance, m->live_units, m->active_frac,
            m->lambda_max, m->eta_lambda, m->loss_floor, m->tv_hprime, m->spline_tv,
            m->max_dev_spline, m->nkinks, m->convex_h, m->convex_data, c->eta, c->sigma,
            c->batch, c->momentum, ou_noise_kind_name(c->noise), c->frozen,
            ou_engine_status(e) == OU_EDIVERGED ? "diverged" : "ok");
    if (project)
        fprintf(f, ",%.17g,%.17g,%" PRIu64, pr->reg, pr->loss, pr->iters);
}

char *
export_params(const struct ou_engine *e, size_t *len)
{
    const struct ou_model *m = ou_engine_model(e);
    const struct ou_data *d = ou_engine_data(e);
    const double *th = ou_engine_theta(e);
    const double *a = ou_relu_a(m, th), *w = ou_relu_w(m, th), *b = ou_relu_b(m, th);
    size_t cap = 512 + (m->width + d->n) * 160;
    char *buf = xmalloc(cap);
    size_t k = 0;
#define OUT(...) (k += (size_t)snprintf(buf + k, cap - k, __VA_ARGS__))
    if (m->id == OU_MODEL_LINEAR) {
        OUT("# ouscope %s parameters at step %" PRIu64 ": h(x) = sum_k theta_k sqrt(2/m) "
            "cos(omega_k x + beta_k) + c\n",
            PACKAGE_VERSION, ou_engine_step_count(e));
        OUT("kind,index,theta_or_x,omega_or_y,beta\n");
        for (size_t j = 0; j < m->width; j++)
            OUT("feature,%zu,%.17g,%.17g,%.17g\n", j, th[j], m->fixed[j], m->fixed[m->width + j]);
        OUT("bias,0,%.17g,,\n", m->bias ? th[m->width] : 0.0);
        for (size_t i = 0; i < d->n; i++)
            OUT("point,%zu,%.17g,%.17g,\n", i, d->x[i], d->y[i]);
        *len = k;
        return buf;
    }
    OUT("# ouscope %s parameters at step %" PRIu64 ": h(x) = sum_j a_j relu(w_j x + b_j) + c\n",
        PACKAGE_VERSION, ou_engine_step_count(e));
    OUT("# unit rows: kink = -b/w (empty if w = 0), slope_change = a |w|\n");
    OUT("kind,index,a_or_x,w_or_y,b,kink,slope_change\n");
    for (size_t j = 0; j < m->width; j++) {
        OUT("unit,%zu,%.17g,%.17g,%.17g,", j, a[j], w[j], b[j]);
        if (fabs(w[j]) > 0.0)
            OUT("%.17g", -b[j] / w[j]);
        OUT(",%.17g\n", a[j] * fabs(w[j]));
    }
    OUT("bias,0,%.17g,,,,\n", ou_relu_c(m, th));
    for (size_t i = 0; i < d->n; i++)
        OUT("point,%zu,%.17g,%.17g,,,\n", i, d->x[i], d->y[i]);
#undef OUT
    *len = k;
    return buf;
}
