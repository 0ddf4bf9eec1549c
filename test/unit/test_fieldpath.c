/* Field paths (replacements, vars) and the shared selector: splitting as
 * kyaml's SmarterPathSplitter does, lookup, create and match walks, label
 * selector expressions and exact/regex id matching. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "fieldpath.h"
#include "selector.h"
#include "kyaml.h"

static int setup(void **state)
{
    *state = arena_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static node *load(arena *a, const char *text)
{
    node *doc = NULL;
    assert_int_equal(yaml_load_one(a, "t.yaml", text, strlen(text), &doc), 0);
    assert_non_null(doc);
    return doc;
}

static void assert_split(arena *a, const char *path, int n, const char *const *want)
{
    const char **segs;
    uint32_t got;
    fieldpath_split_dotted(a, path, &segs, &got);
    assert_int_equal(got, n);
    for (int i = 0; i < n; i++) assert_string_equal(segs[i], want[i]);
}

static void test_split(void **state)
{
    arena *a = *state;
    assert_split(a, "spec.template.spec", 3, (const char *[]){"spec", "template", "spec"});
    assert_split(a, "data.app\\.properties", 2, (const char *[]){"data", "app.properties"});
    assert_split(a, "spec.containers.[name=com.foo.app].image", 4,
                 (const char *[]){"spec", "containers", "[name=com.foo.app]", "image"});
    assert_split(a, "metadata.annotations.[example.com/a.b]", 3,
                 (const char *[]){"metadata", "annotations", "example.com/a.b"});
    assert_split(a, "a", 1, (const char *[]){"a"});
}

static void test_parse_kinds(void **state)
{
    arena *a = *state;
    fieldpath fp;
    fieldpath_parse(a, "spec.ports.0.[name=http]. x .[bad]", &fp);
    assert_int_equal(fp.n, 6);
    assert_true(fp.v[2].is_num);
    assert_int_equal(fp.v[2].num, 0);
    assert_true(fp.v[3].is_list);
    assert_string_equal(fp.v[3].key, "name");
    assert_string_equal(fp.v[3].val, "http");
    assert_string_equal(fp.v[4].text, "x"); /* trimmed, as kyaml's cleanPath */
    assert_true(fp.v[5].is_list);
    assert_null(fp.v[5].key);
}

static void test_parse_matcher(void **state)
{
    arena *a = *state;
    fieldpath fp;
    /* PathMatcher takes the parts as written; one leading dot is dropped */
    fieldpath_parse_matcher(a, ".data..x. y", &fp);
    assert_int_equal(fp.n, 4);
    assert_string_equal(fp.v[0].text, "data");
    assert_string_equal(fp.v[1].text, "");
    assert_string_equal(fp.v[3].text, " y");
    fieldpath_parse_matcher(a, "..a", &fp);
    assert_int_equal(fp.n, 2);
    assert_string_equal(fp.v[0].text, "");
}

static const char *const deploy =
    "spec:\n"
    "  replicas: 2\n"
    "  template:\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: app\n"
    "        image: app:1\n"
    "        args: [a, b]\n"
    "      - name: sidecar\n"
    "        image: side:1\n";

static void test_lookup(void **state)
{
    arena *a = *state;
    node *doc = load(a, deploy);
    fieldpath fp;
    node *v;
    fieldpath_parse(a, "spec.template.spec.containers.[name=sidecar].image", &fp);
    assert_int_equal(fieldpath_lookup(a, doc, &fp, &v), 0);
    assert_string_equal(node_text(v), "side:1");
    fieldpath_parse(a, "spec.template.spec.containers.0.args.-", &fp);
    assert_int_equal(fieldpath_lookup(a, doc, &fp, &v), 0);
    assert_string_equal(node_text(v), "b");
    fieldpath_parse(a, "spec.template.spec.containers.5.image", &fp);
    assert_int_equal(fieldpath_lookup(a, doc, &fp, &v), 0);
    assert_null(v);
    fieldpath_parse(a, "spec.missing.x", &fp);
    assert_int_equal(fieldpath_lookup(a, doc, &fp, &v), 0);
    assert_null(v);
    /* a scalar on the way is an error, as in kyaml */
    fieldpath_parse(a, "spec.replicas.x", &fp);
    assert_int_equal(fieldpath_lookup(a, doc, &fp, &v), -1);
    fieldpath_parse(a, "spec.template.spec.containers.-1.image", &fp);
    assert_int_equal(fieldpath_lookup(a, doc, &fp, &v), -1);
}

static void test_match(void **state)
{
    arena *a = *state;
    node *doc = load(a, deploy);
    fieldpath fp;
    slot_list slots = {0};
    fieldpath_parse(a, "spec.template.spec.containers.*.image", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, -1, &slots), 0);
    assert_int_equal(slots.n, 2);
    slot_list_free(&slots);
    /* [k=v] is an unanchored regular expression when matching */
    fieldpath_parse(a, "spec.template.spec.containers.[name=^a].image", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, -1, &slots), 0);
    assert_int_equal(slots.n, 1);
    assert_string_equal(node_text(*slots.v[0]), "app:1");
    slot_list_free(&slots);
    fieldpath_parse(a, "spec.template.spec.containers.[name=e].image", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, -1, &slots), 0);
    assert_int_equal(slots.n, 1);
    assert_string_equal(node_text(*slots.v[0]), "side:1");
    slot_list_free(&slots);
    fieldpath_parse(a, "spec.template.spec.containers.7.image", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, -1, &slots), -1);
    slot_list_free(&slots);
}

static void test_create(void **state)
{
    arena *a = *state;
    node *doc = load(a, deploy);
    fieldpath fp;
    slot_list slots = {0};
    fieldpath_parse(a, "spec.template.spec.containers.[name=new].env.[name=X].value", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, N_STR, &slots), 0);
    assert_int_equal(slots.n, 1);
    assert_true((*slots.v[0])->flags & NF_UNTAGGED);
    node *c = map_get(node_get(doc, "spec", "template", "spec", NULL), "containers");
    assert_int_equal(c->u.seq.n, 3);
    assert_string_equal(node_get_str(c->u.seq.items[2], "name", NULL), "new");
    assert_int_equal(map_get(c->u.seq.items[2], "env")->kind, N_SEQ);
    slot_list_free(&slots);
    /* an existing field is found, not created */
    fieldpath_parse(a, "spec.replicas", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, N_STR, &slots), 0);
    assert_false((*slots.v[0])->flags & NF_UNTAGGED);
    assert_string_equal(node_text(*slots.v[0]), "2");
    slot_list_free(&slots);
    /* the element one past the end is appended */
    fieldpath_parse(a, "spec.template.spec.containers.0.args.2", &fp);
    assert_int_equal(fieldpath_match(a, &doc, &fp, N_STR, &slots), 0);
    assert_int_equal(slots.n, 1);
    assert_true((*slots.v[0])->flags & NF_UNTAGGED);
    slot_list_free(&slots);
}

static void test_label_selector(void **state)
{
    arena *a = *state;
    node *labels = load(a, "app: web\ntier: front\nv: \"3\"\n");
    labelsel ls;
    assert_int_equal(labelsel_parse(a, "app=web, tier in (front,back)", NULL, &ls), 0);
    assert_true(labelsel_match(&ls, labels));
    assert_int_equal(labelsel_parse(a, "app!=web", NULL, &ls), 0);
    assert_false(labelsel_match(&ls, labels));
    assert_int_equal(labelsel_parse(a, "!legacy,app", NULL, &ls), 0);
    assert_true(labelsel_match(&ls, labels));
    assert_int_equal(labelsel_parse(a, "tier notin (front)", NULL, &ls), 0);
    assert_false(labelsel_match(&ls, labels));
    assert_int_equal(labelsel_parse(a, "v>2", NULL, &ls), 0);
    assert_true(labelsel_match(&ls, labels));
    assert_int_equal(labelsel_parse(a, "", NULL, &ls), 0);
    assert_true(labelsel_match(&ls, NULL));
    assert_int_equal(labelsel_parse(a, "app in web", NULL, &ls), -1);
    err_clear();
    /* labels.Parse keeps quotes: they fail the label value check, and the
     * error stays with the selector for the match to report */
    assert_int_equal(labelsel_parse(a, "app='web'", NULL, &ls), -1);
    err_clear();
    assert_int_equal(labelsel_match(&ls, labels), -1);
    assert_non_null(strstr(err_msg(), "invalid label value: \"'web'\": at key: \"app\""));
    err_clear();
    assert_int_equal(labelsel_parse(a, "App.io/x", NULL, &ls), -1);
    err_clear();
    assert_int_equal(labelsel_parse(a, "v>-1", NULL, &ls), -1);
    err_clear();
    /* keywords are values in value position; empty sets hold "" */
    assert_int_equal(labelsel_parse(a, "in in (notin,), tier notin ()", NULL, &ls), 0);
    assert_false(labelsel_match(&ls, labels));
    assert_int_equal(labelsel_parse(a, "tier in (,front)", NULL, &ls), 0);
    assert_true(labelsel_match(&ls, labels));
}

static void test_selector_ids(void **state)
{
    arena *a = *state;
    selector s;
    resid dep = {"apps", "v1", "Deployment", "", "web"};
    assert_int_equal(selector_parse(a, load(a, "kind: Deployment\nname: web\nnamespace: default\n"), SEL_EXACT, &s), 0);
    assert_true(selector_match_id(&s, &dep)); /* no namespace is the default namespace */
    assert_int_equal(selector_parse(a, load(a, "kind: Deploy\n"), SEL_EXACT, &s), 0);
    assert_false(selector_match_id(&s, &dep));
    assert_int_equal(selector_parse(a, load(a, "kind: Deploy.*\nname: w.b\n"), SEL_REGEX, &s), 0);
    assert_true(selector_match_id(&s, &dep));
    selector_free(&s);
    assert_string_equal(kid_string(a, &dep), "Deployment.v1.apps/web.[noNs]");
}

int run_fieldpath_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_matcher, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_label_selector, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selector_ids, setup, teardown),
    };
    return cmocka_run_group_tests_name("fieldpath", tests, NULL, NULL);
}
