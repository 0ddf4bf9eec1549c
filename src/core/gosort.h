/* Go's sort.Sort (pattern-defeating quicksort, as in go1.23, the toolchain
 * kubectl v1.32 is built with), step for step. Needed where kustomize sorts
 * with a comparison that is not a strict weak order (its legacy resource
 * order): there the output depends on the exact sequence of comparisons and
 * swaps, which only the same algorithm reproduces. */
#ifndef KG_GOSORT_H
#define KG_GOSORT_H

typedef struct go_sorter {
    void *ctx;
    int (*less)(void *ctx, int i, int j);
    void (*swap)(void *ctx, int i, int j);
} go_sorter;

void go_sort(const go_sorter *s, int n);

#endif
