/*
 * Observables of the current parameters (ouscope-science(7), OBSERVABLES):
 * loss, reg and its gradient, norms, balance, kinks and their convexity,
 * TV(h'), the distance to the linear spline, lambda_max of the NTK, the
 * implicit regularisers of Smith et al. and Damian et al., and the
 * projection onto the zero-loss set used to measure "projected reg".
 * Computed on request, never on the per-step path.
 */
#include "config.h"

#include "ouscope/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_impl.h"
#include "linalg.h"

/* Kinks closer than this fraction of the data's span are one kink. */
#define KINK_MERGE_FRAC 1e-3
/* A merged kink counts only if |sum s| exceeds this fraction of sum |s_j|. */
#define KINK_KEEP_FRAC 0.02

static int
kink_cmp(const void *pa, const void *pb)
{
    const struct ou_kink *a = pa, *b = pb;
    return (a->t > b->t) - (a->t < b->t);
}

/* Sorted kinks of units with w_j != 0 strictly inside (x1, xn); returns the count. */
static size_t
collect_kinks(const struct ou_engine *e, struct ou_kink *k)
{
    const struct ou_model *m = &e->model;
    const double *a = ou_relu_a(m, e->theta), *w = ou_relu_w(m, e->theta),
                 *b = ou_relu_b(m, e->theta);
    double x1 = e->data.x[0], xn = e->data.x[e->data.n - 1];
    size_t cnt = 0;
    for (size_t j = 0; j < m->width; j++) {
        if (!(fabs(w[j]) > 0.0))
            continue;
        double t = -b[j] / w[j];
        if (t > x1 && t < xn) {
            k[cnt].t = t;
            k[cnt].s = a[j] * fabs(w[j]);
            cnt++;
        }
    }
    qsort(k, cnt, sizeof *k, kink_cmp);
    return cnt;
}

/*
 * Effective kinks: consecutive kinks within KINK_MERGE_FRAC (x_n - x_1) of
 * the previous one form a cluster at their mean position with their summed
 * slope change; clusters with |sum s| <= KINK_KEEP_FRAC sum |s| are dropped.
 * TV(h') is exact: h' is piecewise constant and jumps by s_j at t_j.
 */
static void
kink_metrics(const struct ou_engine *e, struct ou_metrics *mt, struct ou_kink *k, size_t cnt)
{
    double span = e->data.x[e->data.n - 1] - e->data.x[0];
    double tol = KINK_MERGE_FRAC * span, total = 0.0, tv = 0.0;
    for (size_t q = 0; q < cnt; q++)
        total += fabs(k[q].s);
    /* TV: group kinks at exactly the same position (they cancel or add). */
    for (size_t q = 0; q < cnt;) {
        double s = k[q].s;
        size_t r = q + 1;
        while (r < cnt && !(k[r].t > k[q].t))
            s += k[r++].s;
        tv += fabs(s);
        q = r;
    }
    mt->tv_hprime = tv;
    mt->nkinks = 0;
    for (size_t q = 0; q < cnt;) {
        double s = k[q].s, tsum = k[q].t;
        size_t r = q + 1;
        while (r < cnt && k[r].t - k[r - 1].t < tol) {
            s += k[r].s;
            tsum += k[r].t;
            r++;
        }
        if (fabs(s) > KINK_KEEP_FRAC * total) {
            mt->kink_x[mt->nkinks] = tsum / (double)(r - q);
            mt->kink_s[mt->nkinks] = s;
            mt->nkinks++;
        }
        q = r;
    }
    mt->convex_h = 0;
    for (size_t q = 1; q < mt->nkinks; q++)
        if ((mt->kink_s[q] > 0.0) != (mt->kink_s[q - 1] > 0.0))
            mt->convex_h++;
}

/* max |h - spline| over [x_1, x_n]: both are piecewise linear, so the
 * maximum sits at a data point or a kink. */
static double
spline_deviation(const struct ou_engine *e, const struct ou_kink *k, size_t cnt)
{
    const struct ou_data *d = &e->data;
    double dev = 0.0;
    for (size_t i = 0; i < d->n; i++)
        dev = fmax(dev, fabs(ou_model_forward(&e->model, e->theta, d->x[i]) - d->y[i]));
    for (size_t q = 0; q < cnt; q++) {
        double h = ou_model_forward(&e->model, e->theta, k[q].t);
        dev = fmax(dev, fabs(h - ou_data_spline(d, k[q].t)));
    }
    return dev;
}

/* max |h - spline| over [x_1, x_n] on a grid of 2000 intervals and the data points. */
static double
grid_deviation(const struct ou_engine *e)
{
    const struct ou_data *d = &e->data;
    double dev = 0.0, x1 = d->x[0], xn = d->x[d->n - 1];
    for (int k = 0; k <= 2000; k++) {
        double t = x1 + (xn - x1) * k / 2000.0;
        dev = fmax(dev, fabs(ou_model_forward(&e->model, e->theta, t) - ou_data_spline(d, t)));
    }
    for (size_t i = 0; i < d->n; i++)
        dev = fmax(dev, fabs(ou_model_forward(&e->model, e->theta, d->x[i]) - d->y[i]));
    return dev;
}

/*
 * Balance of unit j (ouscope-science(7), BALANCE): rho_j = sum_{A_j} u_ij^2
 * / (a_j^2 sum_{A_j} (1 + x_i^2)) is 1 when rescaling (a, w, b) -> (a/c,
 * cw, cb) cannot lower reg.  Also path norms and the active fractions.
 */
static void
unit_metrics(const struct ou_engine *e, struct ou_metrics *mt)
{
    const struct ou_model *m = &e->model;
    const struct ou_data *d = &e->data;
    const double *a = ou_relu_a(m, e->theta), *w = ou_relu_w(m, e->theta),
                 *b = ou_relu_b(m, e->theta);
    double c = ou_relu_c(m, e->theta);
    double l1 = fabs(c), l2 = c * c, bal = 0.0, qabs = 0.0;
    size_t nbal = 0, live = 0, active = 0;
    for (size_t j = 0; j < m->width; j++) {
        l1 += fabs(a[j]) * (fabs(w[j]) + fabs(b[j]));
        l2 += a[j] * a[j] * (w[j] * w[j] + b[j] * b[j]);
        /* a_j^2 - w_j^2 - b_j^2 is what one SGD step changes only at O(eta^2)
         * (ouscope-science(7), BALANCE): a conserved quantity of gradient flow. */
        mt->unit_q[j] = a[j] * a[j] - w[j] * w[j] - b[j] * b[j];
        qabs += fabs(mt->unit_q[j]);
        double p = 0.0, q = 0.0;
        size_t cnt = 0;
        for (size_t i = 0; i < d->n; i++) {
            double u = w[j] * d->x[i] + b[j];
            if (u > 0.0) {
                p += u * u;
                q += 1.0 + d->x[i] * d->x[i];
                cnt++;
            }
        }
        active += cnt;
        if (cnt > 0) {
            live++;
            if (fabs(a[j]) > 0.0) {
                bal += fabs(log(p / (a[j] * a[j] * q)));
                nbal++;
            }
        }
    }
    mt->path_l1 = l1;
    mt->path_l2 = sqrt(l2);
    mt->balance = nbal ? bal / (double)nbal : 0.0;
    mt->unit_balance = qabs / (double)m->width;
    mt->live_units = live;
    mt->active_frac = (double)active / ((double)d->n * (double)m->width);
}

/* lambda_max of K = (1/n) J J^T at theta (J, K and evals are engine work arrays). */
static enum ou_status
lambda_max_at(struct ou_engine *e, const double *theta, double *lmax)
{
    const struct ou_data *d = &e->data;
    ou_model_jacobian(&e->model, theta, d->n, d->x, e->J, e->hbuf);
    ou_linalg_ntk(e->J, d->n, e->model.p, e->K);
    enum ou_status st = ou_linalg_sym_eig(e->K, d->n, e->evals, 0);
    *lmax = st == OU_OK ? e->evals[d->n - 1] : NAN;
    return st;
}

/*
 * Smith, Dherin, Barrett & De (arXiv:2101.12176): SGD with nb minibatches
 * per epoch follows, on average, L + (eta / 4 nb) sum_k |grad L_k|^2.  Here
 * the partition is fixed so the readout is a function of theta: nb =
 * ceil(n / B) minibatches, batch k holding the points i = k, k + nb, k + 2nb,
 * ... (each spans the whole x range, as a shuffled batch would), and L_k =
 * (1 / 2|S_k|) sum_{i in S_k} r_i^2 on the clean labels, so that
 * grad L_k = (1/|S_k|) sum_{i in S_k} r_i J_i.  Uses the rows of J and
 * h = hbuf left by lambda_max_at at e->theta; gtmp holds grad L_k.
 *
 * For RMSProp the step is eta P^-1 g with P = diag(sqrt(s) + eps), and the
 * same backward-error argument gives the modified loss L + (eta / 4 nb)
 * sum_k grad L_k^T P^-1 grad L_k: each squared component weighted by the
 * running second moment's 1/(sqrt(s_q) + eps), with P frozen at its current
 * value (it moves slowly when the decay is near 1).  *igr_rms gets that
 * term, or NaN under another optimizer.
 */
static double
igr_term(struct ou_engine *e, double *igr_rms)
{
    const struct ou_data *d = &e->data;
    const size_t n = d->n, p = e->model.p;
    size_t B = e->cfg.batch < n ? e->cfg.batch : n;
    const size_t nb = (n + B - 1) / B;
    const bool rms = e->cfg.optim == OU_OPTIM_RMSPROP;
    double *gk = e->gtmp, sum = 0.0, wsum = 0.0;
    for (size_t k = 0; k < nb; k++) {
        size_t cnt = 0;
        memset(gk, 0, p * sizeof *gk);
        for (size_t i = k; i < n; i += nb, cnt++) {
            const double r = e->hbuf[i] - d->y[i], *Ji = e->J + i * p;
            for (size_t q = 0; q < p; q++)
                gk[q] += r * Ji[q];
        }
        double sq = 0.0, wsq = 0.0;
        for (size_t q = 0; q < p; q++) {
            sq += gk[q] * gk[q];
            if (rms)
                wsq += gk[q] * gk[q] / (sqrt(e->sq[q]) + e->cfg.opt_eps);
        }
        sum += sq / ((double)cnt * (double)cnt);
        wsum += wsq / ((double)cnt * (double)cnt);
    }
    *igr_rms = rms ? e->cfg.eta / (4.0 * (double)nb) * wsum : NAN;
    return e->cfg.eta / (4.0 * (double)nb) * sum;
}

/*
 * Damian, Ma & Lee (arXiv:2106.06530): R = -(1/2 eta) tr log(I - (eta/2) H),
 * here with H the Gauss-Newton Hessian (1/n) J^T J, whose nonzero
 * eigenvalues are those of K = (1/n) J J^T (the p - n others add log 1 = 0).
 * log1p keeps the small-eta limit (1/4) tr H = reg/4 accurate.  Undefined
 * (NaN) once some eta lambda_k / 2 >= 1.
 */
static double
damian_r(const double *lambda, size_t n, double eta)
{
    double s = 0.0;
    for (size_t k = 0; k < n; k++) {
        double z = 0.5 * eta * lambda[k];
        if (!(z < 1.0))
            return NAN;
        s += log1p(-z);
    }
    return -s / (2.0 * eta);
}

enum ou_status
ou_engine_metrics(struct ou_engine *e, struct ou_metrics *mt)
{
    const struct ou_model *m = &e->model;
    const struct ou_data *d = &e->data;
    const struct ou_config *c = &e->cfg;
    ou_model_pass(m, e->theta, d->n, d->x, d->y, NULL, NULL, NULL, e->ws, &mt->loss, &mt->reg,
                  NULL);
    mt->reg_ema = e->ema_init ? e->reg_ema : mt->reg;
    ou_model_reg_grad(m, e->theta, d->n, d->x, e->gtmp, e->ws);
    mt->grad_reg_norm = ou_linalg_norm(e->gtmp, m->p);
    mt->theta_norm = ou_linalg_norm(e->theta, m->p);
    mt->loss_floor = c->eta * c->sigma * c->sigma / (4.0 * (double)c->batch) * mt->reg;
    mt->noise_lambda = c->eta * c->sigma * c->sigma / (double)c->batch;
    mt->spline_tv = ou_data_spline_tv(d);
    mt->convex_data = ou_data_convexity_changes(d);

    if (m->id == OU_MODEL_RELU1D) {
        unit_metrics(e, mt);
        size_t cnt = collect_kinks(e, e->kinks);
        kink_metrics(e, mt, e->kinks, cnt);
        mt->max_dev_spline = spline_deviation(e, e->kinks, cnt);
    } else {
        /* Unit observables belong to the ReLU net; other kinds leave them undefined. */
        mt->path_l1 = mt->path_l2 = mt->balance = mt->active_frac = mt->tv_hprime = NAN;
        mt->unit_balance = NAN;
        mt->live_units = 0;
        mt->nkinks = 0;
        mt->convex_h = 0;
        mt->max_dev_spline = grid_deviation(e);
    }

    enum ou_status st = lambda_max_at(e, e->theta, &mt->lambda_max);
    mt->eta_lambda = c->eta * mt->lambda_max;
    mt->igr = igr_term(e, &mt->igr_rms);
    mt->r_eta = st == OU_OK ? damian_r(e->evals, d->n, c->eta) : NAN;
    return st;
}

enum ou_status
ou_engine_snapshot(struct ou_engine *e, struct ou_snapshot *s, const struct ou_snapshot_req *req)
{
    s->step = e->step;
    s->cfg = e->cfg;
    s->status = e->status;
    s->diverged_at = e->diverged_at;
    ou_engine_trace_take(e, &s->trace);
    s->data = e->data;
    size_t nc = req ? req->ncurve : 0;
    if (nc > OU_CURVE_MAX)
        nc = OU_CURVE_MAX;
    s->ncurve = nc;
    s->curve_lo = req ? req->lo : 0.0;
    s->curve_hi = req ? req->hi : 0.0;
    for (size_t k = 0; k < nc; k++) {
        double t = nc > 1 ? (double)k / (double)(nc - 1) : 0.0;
        double x = s->curve_lo + t * (s->curve_hi - s->curve_lo);
        s->curve[k] = ou_model_forward(&e->model, e->theta, x);
    }
    return ou_engine_metrics(e, &s->met);
}

/* Loss at th (no gradient). */
static double
loss_at(struct ou_engine *e, const double *th)
{
    const struct ou_data *d = &e->data;
    double loss, reg;
    ou_model_pass(&e->model, th, d->n, d->x, d->y, NULL, NULL, NULL, e->ws, &loss, &reg, NULL);
    return loss;
}

/*
 * A Gauss-Newton step towards {h(x_i) = y_i} at th: dir = J^T (J J^T)^+ r,
 * the minimum-norm correction, from K's eigen-decomposition (K = (1/n) J
 * J^T; eigenvalues below 1e-12 lambda_max dropped), taken as th - s dir
 * for the first s = 1, 1/2, ... (at most 30 halvings) that lowers the
 * loss.  Returns false if none did; dir then still holds the direction.
 * Uses the engine's J, K and evals; dir and trial are the caller's.
 */
static bool
gauss_newton_step(struct ou_engine *e, double *th, double *trial, double *dir, double loss)
{
    const struct ou_data *d = &e->data;
    const size_t n = d->n, p = e->model.p;
    double r[OU_DATA_MAX], c[OU_DATA_MAX];
    memset(dir, 0, p * sizeof *dir);
    ou_model_jacobian(&e->model, th, n, d->x, e->J, r);
    for (size_t i = 0; i < n; i++)
        r[i] -= d->y[i];
    ou_linalg_ntk(e->J, n, p, e->K);
    if (ou_linalg_sym_eig(e->K, n, e->evals, 1) != OU_OK)
        return false;
    double top = e->evals[n - 1];
    if (!(top > 0.0) || !isfinite(top))
        return false;
    for (size_t k = 0; k < n; k++) {
        double dot = 0.0; /* u_k . r, u_k = column k of K after the decomposition */
        for (size_t i = 0; i < n; i++)
            dot += e->K[i * n + k] * r[i];
        c[k] = e->evals[k] > 1e-12 * top ? dot / ((double)n * e->evals[k]) : 0.0;
    }
    for (size_t i = 0; i < n; i++) {
        double z = 0.0; /* z = U c, then dir = J^T z */
        for (size_t k = 0; k < n; k++)
            z += e->K[i * n + k] * c[k];
        const double *Ji = e->J + i * p;
        for (size_t q = 0; q < p; q++)
            dir[q] += z * Ji[q];
    }
    double s = 1.0;
    for (int h = 0; h <= 30; h++, s *= 0.5) {
        for (size_t q = 0; q < p; q++)
            trial[q] = th[q] - s * dir[q];
        if (loss_at(e, trial) < loss) {
            memcpy(th, trial, p * sizeof *th);
            return true;
        }
    }
    return false;
}

/*
 * Projection onto {L = 0} (ouscope-science(7), DRIFT): noise-free
 * full-batch gradient descent at step 1/lambda_max(K), re-evaluated every
 * 1000 steps (halved meanwhile whenever the loss rises).  Once L < 1e-12,
 * or when descent has stalled for OU_PROJECT_GN_AFTER steps in directions
 * of tiny curvature, Gauss-Newton steps with backtracking take over; near
 * the manifold they move theta by O(sqrt L) only.  Works on a copy in gtmp.
 */
#define OU_PROJECT_GN_AFTER 100000
/* Gauss-Newton decomposes the n x n K at every step: only for small data sets. */
#define OU_PROJECT_GN_MAX_N 64
/* Give up when L has not halved over this many steps (a stationary point with L > 0). */
#define OU_PROJECT_STALL_ITERS 100000

enum ou_status
ou_engine_project(struct ou_engine *e, bool apply, struct ou_projection *out)
{
    return ou_engine_project_limited(e, apply, OU_PROJECT_MAX_ITERS, out);
}

enum ou_status
ou_engine_project_limited(struct ou_engine *e, bool apply, uint64_t max_iters,
                          struct ou_projection *out)
{
    const struct ou_model *m = &e->model;
    const struct ou_data *d = &e->data;
    const size_t p = m->p, n = d->n;
    double *th = e->gtmp, *trial = e->gtmp + p;
    if (max_iters == 0 || max_iters > OU_PROJECT_MAX_ITERS)
        max_iters = OU_PROJECT_MAX_ITERS;
    double *dir = malloc(p * sizeof *dir);
    if (!dir)
        return OU_ENOMEM;
    double lmax, loss = INFINITY, reg = NAN, prev = INFINITY, lr = 0.0;
    memcpy(th, e->theta, p * sizeof *th);
    uint64_t it = 0;
    double stall_mark = INFINITY;
    enum ou_status st = OU_OK;
    for (;; it++) {
        for (size_t i = 0; i < n; i++) {
            e->coef[i] = 1.0 / (double)n;
            e->eps[i] = 0.0;
        }
        ou_model_pass(m, th, n, d->x, d->y, e->coef, e->eps, e->g, e->ws, &loss, &reg, NULL);
        if (!isfinite(loss) || loss < OU_PROJECT_TOL || it >= max_iters)
            break;
        /* A stationary point with L > 0 (dead units that cannot fit the
         * data) is left as it is: no halving of L over a long stretch. */
        if (it > 0 && it % OU_PROJECT_STALL_ITERS == 0) {
            if (loss > 0.5 * stall_mark)
                break;
            stall_mark = loss;
        }
        /*
         * Gauss-Newton near the end, or when descent is slow.  When no
         * length along its direction lowers the loss (typically theta sits
         * on a ReLU kink at a data point), the step below is taken along
         * that direction anyway at the descent rate: a non-monotone move
         * that carries theta across the kink where monotone descent stalls.
         */
        const double *step_dir = e->g;
        if ((loss < 1e-12 || it >= OU_PROJECT_GN_AFTER) && n <= OU_PROJECT_GN_MAX_N) {
            if (gauss_newton_step(e, th, trial, dir, loss)) {
                prev = loss;
                continue;
            }
            step_dir = dir;
        }
        if (it % 1000 == 0 || lr <= 0.0) {
            ou_model_pass(m, th, n, d->x, d->y, e->coef, e->eps, e->g, e->ws, &loss, &reg, NULL);
            st = lambda_max_at(e, th, &lmax);
            if (st != OU_OK)
                break;
            lr = lmax > 0.0 ? 1.0 / lmax : 1.0;
        } else if (loss > prev) {
            lr *= 0.5;
        }
        prev = loss;
        for (size_t k = 0; k < p; k++)
            th[k] -= lr * step_dir[k];
    }
    free(dir);
    for (size_t i = 0; i < n; i++)
        e->coef[i] = 0.0;
    out->loss = loss;
    out->reg = reg;
    out->iters = it;
    out->converged = loss < OU_PROJECT_TOL;
    if (st != OU_OK)
        return st;
    if (!isfinite(loss))
        return OU_EDIVERGED;
    if (apply)
        return ou_engine_set_theta(e, th, p);
    return OU_OK;
}
