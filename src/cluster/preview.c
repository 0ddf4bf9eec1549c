/* What an apply would do, asked of the server without changing anything
 * (kgrender diff --live): the engine's own preparation (render, objects,
 * ApplySet, the bodies apply would send, what is live), then per object a GET
 * and a forced server-side dry-run apply, all in flight together within the
 * client's concurrency, and a GET of each member --prune would delete. */
#include "apply.h"
#include "err.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct pv_slot {
    struct preview *pv;
    const char *what;
    node *fallback;               /* the rendered body, when the dry run cannot be asked */
    node *live, *after;
} pv_slot;

typedef struct preview {
    engine *e;
    pv_slot *objs, *gone;         /* rendered objects; prune candidates */
    size_t ngone;
    size_t nerr;
    const char *first_err;
} preview;

static void failed(preview *pv, const char *msg)
{
    msg = redact(pv->e->a, msg);
    if (!pv->nerr++) pv->first_err = arena_strdup(pv->e->a, msg);
    else warnf("%s", msg);
}

/* GET: the live object; 404 means it is not there (it would be added). */
static void on_get(cluster *c, const cluster_result *res, void *ud)
{
    pv_slot *s = ud;
    if (!res->error) s->live = res->json;
    else if (res->status != 404) failed(s->pv, res->error);
    (void)c;
}

/* The dry run: what the object would become. A 404 is its Namespace, made
 * by this same apply: the rendered body stands for it. */
static void on_dry(cluster *c, const cluster_result *res, void *ud)
{
    pv_slot *s = ud;
    if (!res->error) s->after = res->json;
    else if (res->status == 404) s->after = s->fallback;
    else failed(s->pv, res->error);
    (void)c;
}

static void ask_object(preview *pv, uint32_t i)
{
    engine *e = pv->e;
    aobj *o = &e->objs[i];
    pv_slot *s = &pv->objs[i];
    s->pv = pv;
    s->what = o->what;
    s->fallback = o->obj;
    if (o->state == OS_FAILED) {
        failed(pv, o->msg);
    } else if (!o->res) {
        s->after = o->obj; /* its CRD is part of this apply: nothing live, nothing to ask */
    } else if (cluster_get(e->c, &o->ref, e->a, on_get, s) < 0 ||
               cluster_apply(e->c, &o->ref, e->o->field_manager, o->body, o->body_len, CLUSTER_DRY_RUN | CLUSTER_FORCE,
                             e->a, on_dry, s) < 0) {
        failed(pv, arena_printf(e->a, "%s: %s", o->what, err_msg()));
    }
}

/* The members --prune would delete (those it keeps are not listed). */
static void ask_gone(preview *pv)
{
    engine *e = pv->e;
    pv->gone = arena_zalloc(e->a, (e->nlive + 1) * sizeof *pv->gone);
    for (size_t i = 0; i < e->nlive; i++) {
        live_obj *l = &e->live[i];
        if (l->rendered || inv_keep_reason(e, l)) continue;
        pv_slot *s = &pv->gone[pv->ngone++];
        s->pv = pv;
        cluster_ref ref = {l->res, l->ns && *l->ns ? l->ns : NULL, l->name};
        if (cluster_get(e->c, &ref, e->a, on_get, s) < 0) failed(pv, err_msg());
    }
}

static void collect(node *obj, node_list *out)
{
    if (!obj) return;
    strip_server_fields(obj);
    list_push(out, obj);
}

static int ask(preview *pv, node_list *live, node_list *after)
{
    engine *e = pv->e;
    if (engine_prepare(e) < 0) return -1;
    if (e->listing_failed) return err_set("the live state could not be read completely");
    pv->objs = arena_zalloc(e->a, (e->n + 1) * sizeof *pv->objs);
    for (uint32_t i = 0; i < e->n; i++) ask_object(pv, i);
    if (e->set_id) ask_gone(pv);
    cluster_run(e->c);
    if (pv->nerr)
        return err_set("%s%s", pv->first_err,
                       pv->nerr > 1 ? arena_printf(e->a, " (and %zu more errors above)", pv->nerr - 1) : "");
    for (size_t i = 0; i < e->n; i++) collect(pv->objs[i].live, live), collect(pv->objs[i].after, after);
    for (size_t i = 0; i < pv->ngone; i++) collect(pv->gone[i].live, live);
    return 0;
}

int apply_preview(const apply_opts *o, arena *a, node_list *live, node_list *after)
{
    engine e = {.o = o, .a = a, .t0 = now_s()};
    preview pv = {.e = &e};
    progress_new(&e);
    int rc = ask(&pv, live, after);
    engine_release(&e);
    return rc;
}
