/* Go's sort.Sort (go1.23 sort/zsortinterface.go), kept in Go's structure so
 * that every Less and Swap happens in the same order as in kustomize. */
#include "gosort.h"
#include <stdint.h>

#define LESS(i, j) s->less(s->ctx, (i), (j))
#define SWAP(i, j) s->swap(s->ctx, (i), (j))

enum hint { UNKNOWN_HINT, INCREASING_HINT, DECREASING_HINT };

static int bits_len(unsigned long x)
{
    int n = 0;
    while (x) n++, x >>= 1;
    return n;
}

/* go1.23's xorshift used the 32-bit shift triple (13, 17, 5) on 64 bits;
 * go1.24 changed it, so this must stay as go1.23 had it. */
static uint64_t xorshift_next(uint64_t *r)
{
    *r ^= *r << 13;
    *r ^= *r >> 17;
    *r ^= *r << 5;
    return *r;
}

static void insertion_sort(const go_sorter *s, int a, int b)
{
    for (int i = a + 1; i < b; i++)
        for (int j = i; j > a && LESS(j, j - 1); j--) SWAP(j, j - 1);
}

static void sift_down(const go_sorter *s, int lo, int hi, int first)
{
    int root = lo;
    for (;;) {
        int child = 2 * root + 1;
        if (child >= hi) return;
        if (child + 1 < hi && LESS(first + child, first + child + 1)) child++;
        if (!LESS(first + root, first + child)) return;
        SWAP(first + root, first + child);
        root = child;
    }
}

static void heap_sort(const go_sorter *s, int a, int b)
{
    int first = a, hi = b - a;
    for (int i = (hi - 1) / 2; i >= 0; i--) sift_down(s, i, hi, first);
    for (int i = hi - 1; i >= 0; i--) {
        SWAP(first, first + i);
        sift_down(s, 0, i, first);
    }
}

static int partition(const go_sorter *s, int a, int b, int pivot, int *already)
{
    SWAP(a, pivot);
    int i = a + 1, j = b - 1;
    while (i <= j && LESS(i, a)) i++;
    while (i <= j && !LESS(j, a)) j--;
    if (i > j) {
        SWAP(j, a);
        *already = 1;
        return j;
    }
    SWAP(i, j);
    i++, j--;
    for (;;) {
        while (i <= j && LESS(i, a)) i++;
        while (i <= j && !LESS(j, a)) j--;
        if (i > j) break;
        SWAP(i, j);
        i++, j--;
    }
    SWAP(j, a);
    *already = 0;
    return j;
}

static int partition_equal(const go_sorter *s, int a, int b, int pivot)
{
    SWAP(a, pivot);
    int i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !LESS(a, i)) i++;
        while (i <= j && LESS(a, j)) j--;
        if (i > j) break;
        SWAP(i, j);
        i++, j--;
    }
    return i;
}

/* Go's inner loops run down to index 1, not a+1: kept as is. */
static int partial_insertion_sort(const go_sorter *s, int a, int b)
{
    enum { MAX_STEPS = 5, SHORTEST_SHIFTING = 50 };
    int i = a + 1;
    for (int step = 0; step < MAX_STEPS; step++) {
        while (i < b && !LESS(i, i - 1)) i++;
        if (i == b) return 1;
        if (b - a < SHORTEST_SHIFTING) return 0;
        SWAP(i, i - 1);
        if (i - a >= 2)
            for (int j = i - 1; j >= 1 && LESS(j, j - 1); j--) SWAP(j, j - 1);
        if (b - i >= 2)
            for (int j = i + 1; j < b && LESS(j, j - 1); j++) SWAP(j, j - 1);
    }
    return 0;
}

static void break_patterns(const go_sorter *s, int a, int b)
{
    int length = b - a;
    if (length < 8) return;
    uint64_t random = (uint64_t)length;
    unsigned long modulus = 1UL << bits_len((unsigned long)length);
    for (int idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        int other = (int)((unsigned long)xorshift_next(&random) & (modulus - 1));
        if (other >= length) other -= length;
        SWAP(idx, a + other);
    }
}

static void order2(const go_sorter *s, int *a, int *b, int *swaps)
{
    if (LESS(*b, *a)) {
        int t = *a;
        *a = *b, *b = t;
        ++*swaps;
    }
}

static int median(const go_sorter *s, int a, int b, int c, int *swaps)
{
    order2(s, &a, &b, swaps);
    order2(s, &b, &c, swaps);
    order2(s, &a, &b, swaps);
    return b;
}

static int choose_pivot(const go_sorter *s, int a, int b, enum hint *hint)
{
    enum { SHORTEST_NINTHER = 50, MAX_SWAPS = 4 * 3 };
    int l = b - a, swaps = 0;
    int i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= SHORTEST_NINTHER) {
            i = median(s, i - 1, i, i + 1, &swaps);
            j = median(s, j - 1, j, j + 1, &swaps);
            k = median(s, k - 1, k, k + 1, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? INCREASING_HINT : swaps == MAX_SWAPS ? DECREASING_HINT : UNKNOWN_HINT;
    return j;
}

static void reverse_range(const go_sorter *s, int a, int b)
{
    for (int i = a, j = b - 1; i < j; i++, j--) SWAP(i, j);
}

static void pdqsort(const go_sorter *s, int a, int b, int limit)
{
    enum { MAX_INSERTION = 12 };
    int was_balanced = 1, was_partitioned = 1;
    for (;;) {
        int length = b - a;
        if (length <= MAX_INSERTION) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!was_balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        enum hint hint;
        int pivot = choose_pivot(s, a, b, &hint);
        if (hint == DECREASING_HINT) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = INCREASING_HINT;
        }
        if (was_balanced && was_partitioned && hint == INCREASING_HINT && partial_insertion_sort(s, a, b)) return;
        if (a > 0 && !LESS(a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        int mid = partition(s, a, b, pivot, &was_partitioned);
        int left = mid - a, right = b - mid, threshold = length / 8;
        if (left < right) {
            was_balanced = left >= threshold;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

void go_sort(const go_sorter *s, int n)
{
    if (n <= 1) return;
    pdqsort(s, 0, n, bits_len((unsigned long)n));
}
