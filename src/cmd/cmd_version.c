#include "commands.h"
#include "version.h"
#include <stdio.h>
#include <string.h>

int cmd_version(int argc, char **argv)
{
    int short_form = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            puts("Print the version information.\n\nUsage:\n  kgrender version [flags]\n\nFlags:\n"
                 "      --short   print just the version number\n  -h, --help    help for version");
            return 0;
        }
        if (!strcmp(argv[i], "--short")) short_form = 1;
        else {
            fprintf(stderr, "error: unknown flag: %s\n", argv[i]);
            return 1;
        }
    }
    if (short_form) puts("v" KGRENDER_VERSION);
    else printf("kgrender v%s (kustomize %s compatible output)\n", KGRENDER_VERSION, KUSTOMIZE_COMPAT);
    return 0;
}
