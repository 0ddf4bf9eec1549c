#include "kyaml.h"
#include "err.h"
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

/* Characters go-yaml v2's reader refuses when it re-reads kustomize's JSON:
 * raw DEL, C1 controls other than NEL, U+FFFE and U+FFFF (the C0 controls
 * reach it escaped). kustomize fails with "control characters are not allowed". */
static int has_forbidden_char(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x7f) continue;
        if (s[i] == 0x7f) return 1;
        if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f && s[i + 1] != 0x85) return 1;
        if (s[i] == 0xef && i + 2 < len && s[i + 1] == 0xbf && (s[i + 2] == 0xbe || s[i + 2] == 0xbf)) return 1;
    }
    return 0;
}

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

/* kustomize's output goes through JSON text that go-yaml v2 re-reads. JSON
 * escapes every YAML line break but U+0085 (NEL), so a raw NEL reaches v2's
 * double-quoted scanner, which folds it like a line break: the blanks around
 * a run of breaks are dropped, one break becomes a space and n breaks
 * become n-1 newlines (golden case fmt-unicode). Returns a malloc'd copy
 * with that folding, or NULL when s holds no NEL. */
static char *fold_nel(const char *s, size_t len, size_t *outlen)
{
    if (!memchr(s, 0xc2, len) || !memmem(s, len, "\xc2\x85", 2)) return NULL; /* memchr first: most strings are ASCII */
    char *o = malloc(len + 1);
    if (!o) abort();
    size_t n = 0, i = 0;
    while (i < len) {
        if (s[i] != ' ' && !((unsigned char)s[i] == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85)) {
            o[n++] = s[i++];
            continue;
        }
        size_t j = i, breaks = 0; /* a run of spaces and NELs */
        while (j < len) {
            if (s[j] == ' ') j++;
            else if ((unsigned char)s[j] == 0xc2 && j + 1 < len && (unsigned char)s[j + 1] == 0x85) j += 2, breaks++;
            else break;
        }
        if (!breaks) {
            memcpy(o + n, s + i, j - i);
            n += j - i;
        } else if (breaks == 1) {
            o[n++] = ' ';
        } else {
            memset(o + n, '\n', breaks - 1);
            n += breaks - 1;
        }
        i = j;
    }
    o[n] = 0;
    *outlen = n;
    return o;
}

static int emit_string(yaml_emitter_t *e, const char *s, size_t len)
{
    if (has_forbidden_char(s, len)) {
        emit_failed_here = 1;
        err_set("yaml: control characters are not allowed (in \"%.40s\")", s);
        return 0;
    }
    size_t flen;
    char *folded = fold_nel(s, len, &flen);
    if (folded) {
        s = folded;
        len = flen;
    }
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
    if (memchr(s, '\n', len)) style = YAML_LITERAL_SCALAR_STYLE;
    else if (scalar_v2_needs_quotes(s, len)) style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style); /* copies s */
    free(folded);
    return yaml_emitter_emit(e, &ev);
}

static const char *const kind_tag[] = {"null", "bool", "int", "float", "str"};

/* yaml.v3's error for a scalar whose explicit tag its text does not fit. */
static int bad_tag(const node *n)
{
    int rkind;
    size_t len;
    arena *a = arena_new();
    scalar_resolve_plain(a, n->u.str.s, n->u.str.len, &rkind, &len);
    arena_free(a);
    emit_failed_here = 1;
    return err_set("%s: yaml: cannot decode !!%s `%s` as a !!%s", node_pos_static(n), kind_tag[rkind], n->u.str.s,
                   kind_tag[n->kind]);
}

static int emit_node(yaml_emitter_t *e, node *n)
{
    yaml_event_t ev;
    if (n->kind < N_MAP && (n->flags & NF_BAD_TAG)) return bad_tag(n), 0;
    switch (n->kind) {
    case N_MAP:
        yaml_sort_keys(n);
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit(e, &ev)) return 0;
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            const node *k = n->u.map.items[i].key;
            if (k->flags & NF_KEY_NOT_STR) {
                emit_failed_here = 1;
                err_set("%s: json: unsupported type: map[interface {}]interface {} (key %s is not a string)",
                        node_pos_static(k), k->u.str.s);
                return 0;
            }
            /* kustomize drops every "<<" key on output, whatever its value
             * and however it was quoted (golden cases fmt-anchors, fmt-keys-typed). */
            if (k->u.str.len == 2 && !memcmp(k->u.str.s, "<<", 2)) continue;
            if (!emit_string(e, n->u.map.items[i].key->u.str.s, n->u.map.items[i].key->u.str.len)) return 0;
            if (!emit_node(e, n->u.map.items[i].val)) return 0;
        }
        yaml_mapping_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
    case N_SEQ:
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        if (!yaml_emitter_emit(e, &ev)) return 0;
        for (uint32_t i = 0; i < n->u.seq.n; i++)
            if (!emit_node(e, n->u.seq.items[i])) return 0;
        yaml_sequence_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
    case N_STR:
        if (n->flags & NF_TIMESTAMP) {
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
        if ((n->kind == N_INT || n->kind == N_FLOAT) && scalar_output_text(text, len, out)) text = out, len = strlen(out);
        if (n->kind == N_BOOL) text = node_is_true(n) ? "true" : "false", len = strlen(text);
        if (n->kind == N_NULL) text = "null", len = 4;
        yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)len, 1, 1, YAML_PLAIN_SCALAR_STYLE);
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

int yaml_emit_libyaml(strbuf *out, node *doc)
{
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
    ok = ok && emit_node(&e, doc);
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&e, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&e, &ev);
    ok = ok && yaml_emitter_flush(&e);
    int rc = ok ? 0 : emit_failed_here ? -1 : err_set("emitting YAML: %s", e.problem ? e.problem : "unknown error");
    yaml_emitter_delete(&e);
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
            sb_add(out, sh->out.buf + from, sh->ends[k] - from);
        }
    }
    for (size_t t = 0; t < nt; t++) {
        sb_release(&s[t].out);
        free(s[t].ends);
    }
    return rc;
}
