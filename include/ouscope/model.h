/*
 * Models h(x, theta) with a 1D input, seen by the optimizer only through
 * their per-sample Jacobian: h(x) and grad_theta h(x).  A model kind is a
 * const table of functions; the two-layer ReLU net is the first kind.
 * See ouscope-science(7), MODEL.
 */
#ifndef OUSCOPE_MODEL_H
#define OUSCOPE_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "ouscope/rng.h"
#include "ouscope/status.h"

#define OU_MODEL_MAX_WIDTH 4096

enum ou_model_kind_id {
    OU_MODEL_RELU1D = 0, /* h = sum_j a_j relu(w_j x + b_j) + c */
    OU_MODEL_LINEAR      /* h = sum_k theta_k phi_k(x) + c, frozen random Fourier features */
};

struct ou_model;

/*
 * What a model kind provides.  theta has p = nparams entries.  The fused
 * `pass` evaluates every data point once and returns the clean-label loss
 * L = (1/2n) sum_i (h_i - y_i)^2 and reg = (1/n) sum_i |grad h_i|^2; if g is
 * not NULL it also stores g = sum_i coef_i (h_i - y_i - eps_i) grad h_i,
 * where points with coef_i = 0 contribute nothing, and if res is not NULL
 * the clean residuals res[i] = h_i - y_i.  ws is a workspace of `workspace`
 * doubles.
 */
struct ou_model_kind {
    const char *name;
    size_t (*nparams)(const struct ou_model *m);
    /* Constants the kind keeps besides theta (0 if none), drawn by init_fixed. */
    size_t (*nfixed)(const struct ou_model *m);
    void (*init_fixed)(const struct ou_model *m, double *fixed, struct ou_rng *r,
                       const struct ou_ziggurat *z);
    size_t (*workspace)(const struct ou_model *m, size_t n);
    void (*init)(const struct ou_model *m, double *theta, struct ou_rng *r,
                 const struct ou_ziggurat *z);
    double (*forward)(const struct ou_model *m, const double *theta, double x);
    double (*grad)(const struct ou_model *m, const double *theta, double x, double *g);
    void (*pass)(const struct ou_model *m, const double *theta, size_t n, const double *x,
                 const double *y, const double *coef, const double *eps, double *g, double *ws,
                 double *loss, double *reg, double *res);
    void (*reg_grad)(const struct ou_model *m, const double *theta, size_t n, const double *x,
                     double *g, double *ws);
    /* Path-SGD's kappa (see ou_model_path_kappa); NULL when every kappa_e is 1. */
    void (*path_kappa)(const struct ou_model *m, const double *theta, double *kappa);
};

struct ou_model {
    const struct ou_model_kind *kind;
    enum ou_model_kind_id id;
    size_t width;        /* m: hidden units (ReLU net) or features (linear) */
    bool bias;           /* is the output bias c trained (and counted in reg)? */
    size_t p;            /* number of parameters */
    size_t nfixed;       /* constants in `fixed` */
    const double *fixed; /* the kind's constants, owned by the model's creator */
};

/*
 * Set up m as kind `id` with `width` units; OU_EINVAL unless
 * 1 <= width <= OU_MODEL_MAX_WIDTH.  If m->nfixed > 0 the caller provides
 * m->fixed (nfixed doubles) and fills it with ou_model_init_fixed.
 */
enum ou_status ou_model_init(struct ou_model *m, enum ou_model_kind_id id, size_t width,
                             bool bias);

/* Draw the kind's constants into fixed[0..m->nfixed) (nothing if none). */
void ou_model_init_fixed(const struct ou_model *m, double *fixed, struct ou_rng *r,
                         const struct ou_ziggurat *z);

/* Name of a model kind ("relu", "linear"); parse one (false if unknown). */
const char *ou_model_kind_name(enum ou_model_kind_id id);
bool ou_model_kind_parse(const char *name, enum ou_model_kind_id *id);

/* h(x, theta). */
double ou_model_forward(const struct ou_model *m, const double *theta, double x);

/* Store grad_theta h(x) in g[0..p) and return h(x). */
double ou_model_grad(const struct ou_model *m, const double *theta, double x, double *g);

/*
 * Per-sample Jacobian: row i of J (n x p, row-major) is grad h(x_i); h[i]
 * receives h(x_i).  h may be NULL.
 */
void ou_model_jacobian(const struct ou_model *m, const double *theta, size_t n, const double *x,
                       double *J, double *h);

/* Workspace (doubles) that ou_model_pass and ou_model_reg_grad need for n points. */
size_t ou_model_workspace(const struct ou_model *m, size_t n);

/* The fused pass described at struct ou_model_kind. */
void ou_model_pass(const struct ou_model *m, const double *theta, size_t n, const double *x,
                   const double *y, const double *coef, const double *eps, double *g, double *ws,
                   double *loss, double *reg, double *res);

/* Closed-form grad_theta reg(theta) over the n points into g[0..p). */
void ou_model_reg_grad(const struct ou_model *m, const double *theta, size_t n, const double *x,
                       double *g, double *ws);

/*
 * Path-SGD's preconditioner (ouscope-science(7), PATH NORMS) into
 * kappa[0..p): kappa_e is the sum, over the input-to-output paths through
 * parameter e, of the product of the other edges' squared weights (a bias
 * is an edge from a constant input 1).  For the ReLU net kappa(a_j) =
 * w_j^2 + b_j^2, kappa(w_j) = kappa(b_j) = a_j^2 and kappa(c) = 1; for the
 * linear kind every path has one trained edge and kappa = 1.
 */
void ou_model_path_kappa(const struct ou_model *m, const double *theta, double *kappa);

/*
 * The rescaling symmetry of a ReLU unit (ouscope-science(7), PATH NORMS):
 * w_j and b_j times alpha, a_j divided by alpha, so h is unchanged for
 * every x (up to rounding) while reg and |theta| change.  OU_EINVAL, theta
 * untouched, unless m is the ReLU net, j < width and alpha is finite and
 * positive with a finite 1/alpha.
 */
enum ou_status ou_model_rescale_unit(const struct ou_model *m, double *theta, size_t j,
                                     double alpha);

/*
 * Two-layer ReLU net layout: theta = (a[0..m), w[0..m), b[0..m), c), the
 * final c only when bias is trained.  These return pointers into theta.
 */
static inline const double *
ou_relu_a(const struct ou_model *m, const double *theta)
{
    (void)m;
    return theta;
}
static inline const double *
ou_relu_w(const struct ou_model *m, const double *theta)
{
    return theta + m->width;
}
static inline const double *
ou_relu_b(const struct ou_model *m, const double *theta)
{
    return theta + 2 * m->width;
}
/* The output bias c (0 when it is not trained). */
static inline double
ou_relu_c(const struct ou_model *m, const double *theta)
{
    return m->bias ? theta[3 * m->width] : 0.0;
}

#endif
