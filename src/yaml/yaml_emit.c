#include "kyaml.h"
#include "err.h"
#include "quirks.h"
#include "scalar.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <yaml.h>


/* "file:line" of a node for messages (the emitter has no arena). */
static const char *node_pos_static(const node *n)
{
    static _Thread_local char buf[512];
    if (!n->file) return "(generated)";
    snprintf(buf, sizeof buf, "%s:%u:%u", n->file, n->line, n->col);
    return buf;
}

/* Set when emit_node fails for a reason of ours (message already in err). */
static _Thread_local int emit_failed_here;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
    sb_add((strbuf *)data, buffer, size);
    return 1;
}

static int pair_less(const node_pair *a, const node_pair *b)
{
    return natural_less(a->key->u.str.s, a->key->u.str.len, b->key->u.str.s, b->key->u.str.len);
}

/* Insertion sort: maps are small and often already in order. */
void yaml_sort_keys(node *m)
{
    node_pair *v = m->u.map.items;
    for (uint32_t i = 1; i < m->u.map.n; i++) {
        if (!pair_less(&v[i], &v[i - 1])) continue;
        node_pair x = v[i];
        uint32_t j = i;
        while (j > 0 && pair_less(&x, &v[j - 1])) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Strings that start with a BOM are written by go-yaml v2 with every
 * character escaped (quirks.h). libyaml is given a stand-in of the same
 * shape, and the stand-in's bytes in the output are replaced afterwards by
 * v2's, in emission order: each pair is libyaml's quoted text, then v2's. */
static _Thread_local strbuf bom_swaps;

static void bom_swap_add(const char *s, size_t len, strbuf *stand_in)
{
    strbuf written = STRBUF_INIT, real = STRBUF_INIT;
    quirk_bom_stand_in(s, len, stand_in, &written);
    quirk_v2_escape_all(s, len, &real);
    sb_add(&bom_swaps, &written.len, sizeof written.len);
    sb_add(&bom_swaps, written.buf, written.len);
    sb_add(&bom_swaps, real.buf, real.len); /* as long as written */
    sb_release(&written);
    sb_release(&real);
}

static void bom_swaps_apply(strbuf *out, size_t from)
{
    for (size_t i = 0; i < bom_swaps.len;) {
        size_t n;
        memcpy(&n, bom_swaps.buf + i, sizeof n);
        const char *written = bom_swaps.buf + i + sizeof n, *real = written + n;
        /* The stand-in is always double-quoted text that starts the
         * scalar, so only a match right after a '"' is it: the same
         * characters can stand in a plain or single-quoted scalar
         * written earlier in the document. */
        char *at = NULL;
        for (size_t pos = from; pos < out->len;) {
            char *m = memmem(out->buf + pos, out->len - pos, written, n);
            if (!m) break;
            if (m > out->buf && m[-1] == '"') {
                at = m;
                break;
            }
            pos = (size_t)(m - out->buf) + 1;
        }
        if (at) {
            memcpy(at, real, n);
            from = (size_t)(at - out->buf) + n;
        }
        i += sizeof n + 2 * n;
    }
    sb_reset(&bom_swaps);
}

/* libyaml takes UTF-8 only; the readers hand it nothing else, so this is
 * a guard (a failed event must not reach the emitter: it would free it). */
static int invalid_utf8(void)
{
    emit_failed_here = 1;
    return err_set("yaml: a string is not valid UTF-8"), 0;
}

static int emit_string(yaml_emitter_t *e, const char *s, size_t len)
{
    if (quirk_v2_forbidden_char(s, len)) {
        emit_failed_here = 1;
        err_set("yaml: control characters are not allowed (in \"%.40s\")", s);
        return 0;
    }
    size_t flen;
    char *folded = quirk_v2_fold_nel(s, len, &flen);
    if (folded) {
        s = folded;
        len = flen;
    }
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
    strbuf stand_in = STRBUF_INIT;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
        bom_swap_add(s, len, &stand_in);
        s = stand_in.buf;
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE; /* as libyaml and v2 choose for any BOM */
    } else if (memchr(s, '\n', len)) {
        style = YAML_LITERAL_SCALAR_STYLE;
    } else if (scalar_v2_needs_quotes(s, len)) {
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    }
    /* copies s; refuses text that is not UTF-8 (ev is then left unset) */
    int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style);
    free(folded);
    sb_release(&stand_in);
    if (!ok) return invalid_utf8();
    return yaml_emitter_emit(e, &ev);
}

/* Where a node sits: inside a flow collection or not (which yaml.v3's
 * re-emission in kustomize's JSON round trip keeps), and the mapping key
 * above it, for messages. */
struct where {
    int flow;
    const node *key;
};

/* The document being emitted, for messages about generated nodes. */
static _Thread_local const node *emit_doc;

/* "Kind name: key" of a node without a source position. */
static const char *generated_pos(const node *n, const node *key)
{
    static _Thread_local char buf[512];
    if (n->file) return node_pos_static(n);
    const char *kind = node_get_str(emit_doc, "kind", NULL), *name = node_get_str(emit_doc, "metadata", "name", NULL);
    snprintf(buf, sizeof buf, "%s %s: %s", kind ? kind : "object", name ? name : "", key ? key->u.str.s : "value");
    return buf;
}

static int emit_node(yaml_emitter_t *e, node *n, struct where w);

/* A string key or value; a folded one (out of flow context, where yaml.v3
 * must quote it) as kustomize's yaml.v3 round trip reads it back. */
static int emit_text(yaml_emitter_t *e, const node *n, int flow)
{
    size_t flen;
    char *folded = (n->flags & NF_FOLDED) && !flow ? quirk_v3_folded_reread(n->u.str.s, n->u.str.len, &flen) : NULL;
    if (!folded) return emit_string(e, n->u.str.s, n->u.str.len);
    int ok = emit_string(e, folded, flen);
    free(folded);
    return ok;
}

static int emit_map(yaml_emitter_t *e, node *n, struct where w)
{
    yaml_event_t ev;
    yaml_sort_keys(n);
    yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
    if (!yaml_emitter_emit(e, &ev)) return 0;
    w.flow |= (n->flags & NF_FLOW) != 0;
    for (uint32_t i = 0; i < n->u.map.n; i++) {
        const node *k = n->u.map.items[i].key;
        node *v = n->u.map.items[i].val;
        if ((k->flags & NF_KEY_NOT_STR) && !scalar_v3_requotes_key(k, w.flow)) {
            emit_failed_here = 1;
            err_set("%s: json: unsupported type: map[interface {}]interface {} (key %s is not a string)",
                    node_pos_static(k), k->u.str.s);
            return 0;
        }
        if (k->flags & NF_KEY_DUP) {
            emit_failed_here = 1;
            err_set("%s: mapping key \"%s\" already defined earlier in its mapping", node_pos_static(k),
                    k->u.str.s);
            return 0;
        }
        /* kustomize drops every "<<" key on output, whatever its value
         * and however it was quoted (golden cases fmt-anchors, fmt-keys-typed). */
        if (k->u.str.len == 2 && !memcmp(k->u.str.s, "<<", 2)) continue;
        if (!emit_text(e, k, w.flow)) return 0;
        struct where vw = {w.flow, k};
        if (!emit_node(e, v, vw)) return 0;
    }
    yaml_mapping_end_event_initialize(&ev);
    return yaml_emitter_emit(e, &ev);
}

static int emit_seq(yaml_emitter_t *e, node *n, struct where w)
{
    yaml_event_t ev;
    yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
    if (!yaml_emitter_emit(e, &ev)) return 0;
    struct where iw = {w.flow || (n->flags & NF_FLOW), w.key};
    for (uint32_t i = 0; i < n->u.seq.n; i++)
        if (!emit_node(e, n->u.seq.items[i], iw)) return 0;
    yaml_sequence_end_event_initialize(&ev);
    return yaml_emitter_emit(e, &ev);
}

/* yaml.v3's error for a scalar whose tag its text does not fit. */
static int bad_tag(const node *n)
{
    char msg[160];
    scalar_bad_tag_msg(n, msg, sizeof msg);
    emit_failed_here = 1;
    return err_set("%s: yaml: %s", node_pos_static(n), msg);
}

/* A !!binary string: kustomize's output holds its decoded bytes. */
static int emit_binary(yaml_emitter_t *e, const node *n)
{
    size_t len;
    char *text = scalar_binary_text(n->u.str.s, n->u.str.len, &len);
    if (!text) {
        emit_failed_here = 1;
        return err_set("%s: yaml: !!binary value contains invalid base64 data", node_pos_static(n)), 0;
    }
    int ok = emit_string(e, text, len);
    free(text);
    return ok;
}

static int emit_node(yaml_emitter_t *e, node *n, struct where w)
{
    yaml_event_t ev;
    if (n->kind < N_MAP && (n->flags & NF_BAD_TAG)) return bad_tag(n), 0;
    if (n->kind == N_STR && (n->flags & NF_BINARY)) return emit_binary(e, n);
    /* yaml.v3 quotes some plain scalars in flow collections: they come back as strings */
    int as_string = w.flow && scalar_v3_flow_requotes(n);
    switch (n->kind) {
    case N_MAP:
        return emit_map(e, n, w);
    case N_SEQ:
        return emit_seq(e, n, w);
    case N_STR:
        if (!w.flow && quirk_v3_unreadable_block(n)) {
            emit_failed_here = 1;
            err_set("%s: yaml: found a tab character where an indentation space is expected (kustomize's yaml.v3 "
                    "round trip cannot read back a multi-line string that starts with a tab)", generated_pos(n, w.key));
            return 0;
        }
        if (n->flags & NF_FOLDED) return emit_text(e, n, w.flow);
        if ((n->flags & NF_TIMESTAMP) && !as_string) {
            char out[64];
            if (scalar_output_text(n->u.str.s, n->u.str.len, out)) return emit_string(e, out, strlen(out));
        }
        return emit_string(e, n->u.str.s, n->u.str.len);
    case N_FLOAT:
        if (!strpbrk(n->u.str.s, "0123456789")) {
            /* .inf/.nan (the only floats without digits): json.Marshal refuses them, so kustomize fails */
            emit_failed_here = 1;
            err_set("%s: json: unsupported value: %s", node_pos_static(n), n->u.str.s);
            return 0;
        }
        /* fall through */
    default: {
        char out[64];
        const char *text = n->u.str.s;
        size_t len = n->u.str.len;
        if (as_string) return emit_string(e, text, len);
        if ((n->kind == N_INT || n->kind == N_FLOAT) && scalar_output_text(text, len, out)) text = out, len = strlen(out);
        if (n->kind == N_BOOL) text = node_is_true(n) ? "true" : "false", len = strlen(text);
        if (n->kind == N_NULL) text = "null", len = 4;
        if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)len, 1, 1, YAML_PLAIN_SCALAR_STYLE))
            return invalid_utf8();
        return yaml_emitter_emit(e, &ev);
    }
    }
}

/* The fast path when it can, else libyaml; KGR_EMIT_VERIFY=1 checks the fast
 * path against libyaml on every document (the test suite runs with it). */
int yaml_emit(strbuf *out, node *doc)
{
    static _Atomic int verify = -1; /* read by several emitting threads */
    if (verify < 0) verify = getenv("KGR_EMIT_VERIFY") && *getenv("KGR_EMIT_VERIFY") == '1';
    size_t start = out->len;
    if (!yaml_emit_fast(out, doc)) return yaml_emit_libyaml(out, doc);
    if (verify) {
        strbuf ref = STRBUF_INIT;
        int rc = yaml_emit_libyaml(&ref, doc);
        if (rc < 0 || ref.len != out->len - start || memcmp(ref.buf, out->buf + start, ref.len)) {
            fprintf(stderr, "kgrender: KGR_EMIT_VERIFY: the fast emitter differs from libyaml on:\n%s--- libyaml:\n%s",
                    out->buf + start, ref.len ? ref.buf : "");
            abort();
        }
        sb_release(&ref);
    }
    return 0;
}

/* libyaml 0.2.5 ends a document holding a keep-chomped block scalar (|+)
 * anywhere with a "..." line; kustomize's go-yaml v2 never writes one, last
 * scalar or not (golden cases keep-chomp-*). An object's last line is a key
 * or an indented line, so a last line "..." is always that marker. */
static void drop_document_end_marker(strbuf *out, size_t start)
{
    if (out->len - start >= 5 && !memcmp(out->buf + out->len - 5, "\n...\n", 5)) {
        out->len -= 4;
        out->buf[out->len] = 0;
    }
}

int yaml_emit_libyaml(strbuf *out, node *doc)
{
    size_t start = out->len;
    yaml_emitter_t e;
    yaml_event_t ev;
    yaml_emitter_initialize(&e);
    yaml_emitter_set_output(&e, write_handler, out);
    yaml_emitter_set_width(&e, 80);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_indent(&e, 2);
    int ok = 1;
    emit_failed_here = 0;
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ok = ok && yaml_emitter_emit(&e, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ok = ok && yaml_emitter_emit(&e, &ev);
    emit_doc = doc;
    ok = ok && emit_node(&e, doc, (struct where){0, NULL});
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&e, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_emitter_flush(&e);
    int rc = ok ? 0 : emit_failed_here ? -1 : err_set("emitting YAML: %s", e.problem ? e.problem : "unknown error");
    yaml_emitter_delete(&e);
    if (rc == 0) drop_document_end_marker(out, start);
    if (rc == 0) bom_swaps_apply(out, start);
    sb_release(&bom_swaps);
    return rc;
}

/* One thread's share of a stream: every nt-th document from `first`
 * (interleaved, since sorted streams put small and large kinds together),
 * each document's end offset in `out` recorded so the stream can be put back
 * in order. */
struct emit_share {
    node **docs;
    size_t first, n, stride;
    size_t *ends;
    strbuf out;
    int rc;
};

static void emit_share_run(struct emit_share *s)
{
    s->rc = 0;
    for (size_t i = s->first, k = 0; i < s->n && s->rc == 0; i += s->stride, k++) {
        s->rc = yaml_emit(&s->out, s->docs[i]);
        s->ends[k] = s->out.len;
    }
}

static void *emit_thread(void *arg)
{
    emit_share_run(arg);
    return NULL;
}

static void sort_tree(node *n)
{
    if (n->kind == N_MAP) {
        yaml_sort_keys(n);
        for (uint32_t i = 0; i < n->u.map.n; i++) sort_tree(n->u.map.items[i].val);
    } else if (n->kind == N_SEQ) {
        for (uint32_t i = 0; i < n->u.seq.n; i++) sort_tree(n->u.seq.items[i]);
    }
}

#define EMIT_MAX_THREADS 4
#define EMIT_MIN_DOCS_PER_THREAD 128

int yaml_emit_stream(strbuf *out, node **docs, size_t n)
{
    return yaml_emit_stream_at(out, docs, n, NULL);
}

int yaml_emit_stream_at(strbuf *out, node **docs, size_t n, size_t *starts)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cpus > 1 ? (size_t)cpus : 1;
    if (nt > EMIT_MAX_THREADS) nt = EMIT_MAX_THREADS;
    while (nt > 1 && n / nt < EMIT_MIN_DOCS_PER_THREAD) nt--;
    /* Key sorting writes to the tree, and transformers may share a subtree
     * between objects: sort everything here, so the threads only read. */
    for (size_t i = 0; nt > 1 && i < n; i++) sort_tree(docs[i]);
    struct emit_share s[EMIT_MAX_THREADS];
    pthread_t th[EMIT_MAX_THREADS];
    int started[EMIT_MAX_THREADS] = {0};
    for (size_t t = 0; t < nt; t++) {
        s[t] = (struct emit_share){docs, t, n, nt, malloc((n / nt + 1) * sizeof(size_t)), STRBUF_INIT, 0};
        if (t > 0) started[t] = pthread_create(&th[t], NULL, emit_thread, &s[t]) == 0;
    }
    emit_share_run(&s[0]);
    int rc = s[0].rc;
    for (size_t t = 1; t < nt; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else emit_share_run(&s[t]);
        if (s[t].rc < 0) rc = -1;
    }
    if (rc < 0) {
        /* Emitted again in order on this thread, so the message reported is
         * the first failing document's (messages are per thread). */
        strbuf scratch = STRBUF_INIT;
        for (size_t i = 0; i < n && yaml_emit(&scratch, docs[i]) == 0; i++) sb_reset(&scratch);
        sb_release(&scratch);
    } else {
        for (size_t i = 0; i < n; i++) {
            struct emit_share *sh = &s[i % nt];
            size_t k = i / nt, from = k ? sh->ends[k - 1] : 0;
            if (i) sb_adds(out, "---\n");
            if (starts) starts[i] = out->len;
            sb_add(out, sh->out.buf + from, sh->ends[k] - from);
        }
        if (starts) starts[n] = out->len;
    }
    for (size_t t = 0; t < nt; t++) {
        sb_release(&s[t].out);
        free(s[t].ends);
    }
    return rc;
}
