/*
 * Model dispatch: the optimizer and the metrics reach a model only through
 * these calls, which go to the kind's table.  Adding a model kind means
 * adding a table, not touching the optimizer.
 */
#include "config.h"

#include "ouscope/model.h"

#include "linear.h"
#include "relu.h"

#include <math.h>
#include <string.h>

enum ou_status
ou_model_init(struct ou_model *m, enum ou_model_kind_id id, size_t width, bool bias)
{
    if (width < 1 || width > OU_MODEL_MAX_WIDTH)
        return OU_EINVAL;
    switch (id) {
    case OU_MODEL_RELU1D:
        m->kind = &ou_relu_kind;
        break;
    case OU_MODEL_LINEAR:
        m->kind = &ou_linear_kind;
        break;
    default:
        return OU_EINVAL;
    }
    m->id = id;
    m->width = width;
    m->bias = bias;
    m->p = m->kind->nparams(m);
    m->nfixed = m->kind->nfixed ? m->kind->nfixed(m) : 0;
    m->fixed = NULL;
    return OU_OK;
}

void
ou_model_init_fixed(const struct ou_model *m, double *fixed, struct ou_rng *r,
                    const struct ou_ziggurat *z)
{
    if (m->nfixed > 0)
        m->kind->init_fixed(m, fixed, r, z);
}

const char *
ou_model_kind_name(enum ou_model_kind_id id)
{
    return id == OU_MODEL_LINEAR ? "linear" : "relu";
}

bool
ou_model_kind_parse(const char *name, enum ou_model_kind_id *id)
{
    if (strcmp(name, "relu") == 0)
        *id = OU_MODEL_RELU1D;
    else if (strcmp(name, "linear") == 0)
        *id = OU_MODEL_LINEAR;
    else
        return false;
    return true;
}

double
ou_model_forward(const struct ou_model *m, const double *theta, double x)
{
    return m->kind->forward(m, theta, x);
}

double
ou_model_grad(const struct ou_model *m, const double *theta, double x, double *g)
{
    return m->kind->grad(m, theta, x, g);
}

void
ou_model_jacobian(const struct ou_model *m, const double *theta, size_t n, const double *x,
                  double *J, double *h)
{
    for (size_t i = 0; i < n; i++) {
        double hi = m->kind->grad(m, theta, x[i], J + i * m->p);
        if (h)
            h[i] = hi;
    }
}

size_t
ou_model_workspace(const struct ou_model *m, size_t n)
{
    return m->kind->workspace(m, n);
}

void
ou_model_pass(const struct ou_model *m, const double *theta, size_t n, const double *x,
              const double *y, const double *coef, const double *eps, double *g, double *ws,
              double *loss, double *reg, double *res)
{
    m->kind->pass(m, theta, n, x, y, coef, eps, g, ws, loss, reg, res);
}

void
ou_model_reg_grad(const struct ou_model *m, const double *theta, size_t n, const double *x,
                  double *g, double *ws)
{
    m->kind->reg_grad(m, theta, n, x, g, ws);
}

void
ou_model_path_kappa(const struct ou_model *m, const double *theta, double *kappa)
{
    if (m->kind->path_kappa) {
        m->kind->path_kappa(m, theta, kappa);
        return;
    }
    for (size_t k = 0; k < m->p; k++)
        kappa[k] = 1.0;
}

enum ou_status
ou_model_rescale_unit(const struct ou_model *m, double *theta, size_t j, double alpha)
{
    if (m->id != OU_MODEL_RELU1D || j >= m->width || !isfinite(alpha) || alpha <= 0.0 ||
        !isfinite(1.0 / alpha))
        return OU_EINVAL;
    /* relu(alpha z) = alpha relu(z) for alpha > 0, so a_j relu(w_j x + b_j) is unchanged. */
    theta[j] /= alpha;
    theta[m->width + j] *= alpha;
    theta[2 * m->width + j] *= alpha;
    return OU_OK;
}
