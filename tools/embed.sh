#!/bin/sh
# Writes an assembler file that embeds every file under src/data into the
# binary, with a table kg_embedded[] of {name, data, size}; see src/embed.h.
set -eu
out=$1
cd "$(dirname "$0")/.."
files=$(cd src/data && find . -type f ! -name README.md | sed 's|^\./||' | LC_ALL=C sort)
{
    echo '    .section .rodata'
    i=0
    for f in $files; do
        echo "kg_file$i: .incbin \"src/data/$f\""
        echo "kg_file${i}_end: .byte 0"
        echo "kg_name$i: .asciz \"$f\""
        i=$((i + 1))
    done
    echo '    .section .data.rel.ro'
    echo '    .balign 8'
    echo '    .global kg_embedded'
    echo 'kg_embedded:'
    i=0
    for f in $files; do
        echo "    .quad kg_name$i, kg_file$i, kg_file${i}_end - kg_file$i"
        i=$((i + 1))
    done
    echo '    .quad 0, 0, 0'
    echo '    .section .note.GNU-stack,"",@progbits'
} > "$out.tmp"
mv "$out.tmp" "$out"
