/* Name-reference fix-ups: stub, to be implemented. */
#include "build.h"

int namereference_fix(kust *k, resmap *rm)
{
    (void)k;
    (void)rm;
    return 0;
}
