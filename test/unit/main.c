/* Unit test runner: every group of cmocka tests, one binary.
 * Groups other than core live in their own files and may not exist yet:
 * they are weak symbols, and a missing group is skipped.
 * Exit status: the number of failed tests (0 = all passed).
 * Output: cmocka's own (CMOCKA_MESSAGE_OUTPUT=STDOUT|TAP|SUBUNIT|XML). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int run_core_tests(void);
int run_patch_tests(void) __attribute__((weak));
int run_hash_tests(void) __attribute__((weak));
int run_fieldpath_tests(void) __attribute__((weak));
int run_emit_tests(void) __attribute__((weak));
int run_controller_tests(void) __attribute__((weak));
int run_kubeconfig_tests(void) __attribute__((weak));
int run_apply_tests(void) __attribute__((weak));
int run_imageref_tests(void) __attribute__((weak));
int run_quirks_tests(void) __attribute__((weak));
int run_plugins_tests(void) __attribute__((weak));
int run_godecode_tests(void) __attribute__((weak));
int run_image_tests(void) __attribute__((weak));

struct group {
    const char *name;
    int (*run)(void);
};

int main(int argc, char **argv)
{
    const struct group groups[] = {
        {"core", run_core_tests},
        {"patch", run_patch_tests},
        {"hash", run_hash_tests},
        {"fieldpath", run_fieldpath_tests},
        {"emit", run_emit_tests},
        {"controller", run_controller_tests},
        {"kubeconfig", run_kubeconfig_tests},
        {"apply", run_apply_tests},
        {"imageref", run_imageref_tests},
        {"quirks", run_quirks_tests},
        {"plugins", run_plugins_tests},
        {"godecode", run_godecode_tests},
        {"image", run_image_tests},
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        /* unit-tests [GROUP...]: run only the named groups */
        int wanted = argc < 2;
        for (int a = 1; a < argc; a++) wanted |= !strcmp(argv[a], groups[i].name);
        if (!wanted) continue;
        if (!groups[i].run) {
            fprintf(stderr, "unit: group %s not built (no run_%s_tests)\n", groups[i].name, groups[i].name);
            continue;
        }
        failed += groups[i].run();
    }
    return failed > 125 ? 125 : failed;
}
