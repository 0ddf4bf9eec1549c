#include "yaml.h"
#include "err.h"
#include "scalar.h"
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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
static void sort_keys(node *m)
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

static int emit_string(yaml_emitter_t *e, const char *s, size_t len)
{
    yaml_event_t ev;
    yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
    if (memchr(s, '\n', len)) style = YAML_LITERAL_SCALAR_STYLE;
    else if (scalar_v2_needs_quotes(s, len)) style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)len, 1, 1, style);
    return yaml_emitter_emit(e, &ev);
}

static int emit_node(yaml_emitter_t *e, node *n)
{
    yaml_event_t ev;
    switch (n->kind) {
    case N_MAP:
        sort_keys(n);
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit(e, &ev)) return 0;
        for (uint32_t i = 0; i < n->u.map.n; i++) {
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
        return emit_string(e, n->u.str.s, n->u.str.len);
    default:
        yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)n->u.str.s, (int)n->u.str.len, 1, 1,
                                     YAML_PLAIN_SCALAR_STYLE);
        return yaml_emitter_emit(e, &ev);
    }
}

int yaml_emit(strbuf *out, node *doc)
{
    yaml_emitter_t e;
    yaml_event_t ev;
    yaml_emitter_initialize(&e);
    yaml_emitter_set_output(&e, write_handler, out);
    yaml_emitter_set_width(&e, 80);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_indent(&e, 2);
    int ok = 1;
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
    int rc = ok ? 0 : err_set("emitting YAML: %s", e.problem ? e.problem : "unknown error");
    yaml_emitter_delete(&e);
    return rc;
}
