#!/bin/sh
# Writes a ~1 GiB mixed diff under /bench inside a container (any POSIX sh + coreutils):
#   ~200 MB random data (incompressible), ~20,000 small files (~80 MB, like a node_modules or
#   a toolchain's headers), ~750 MB of compressible text trees.
set -e
mkdir -p /bench/random /bench/small /bench/text
head -c 209715200 /dev/urandom > /bench/random/blob.bin
# ~20,000 files of 4 KiB in 100 directories.
i=0
while [ $i -lt 100 ]; do
  mkdir -p /bench/small/d$i
  head -c 614400 /dev/urandom | base64 -w 0 | split -b 4096 -a 3 - /bench/small/d$i/f
  i=$((i + 1))
done
# Compressible: repeated source-like text, 25 files of ~30 MB.
seq 1 400000 | sed 's/^/int function_number_&(void) { return &; } \/\/ generated line /' > /bench/text/base.c
k=0
while [ $k -lt 25 ]; do
  cp /bench/text/base.c /bench/text/copy$k.c
  echo "/* variant $k */" >> /bench/text/copy$k.c
  k=$((k + 1))
done
du -sh /bench
