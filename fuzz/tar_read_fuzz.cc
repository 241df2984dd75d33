// libFuzzer target: a layer blob (tar, gzip or zstd, detected from its first bytes) through
// snapshot::DecompressReader and snapshot::TarReader, reading every entry's header and data as
// layer_apply does. Read-only use of the public API.
#include <archive_entry.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "snapshot/decompress.h"
#include "snapshot/tar_read.h"

namespace {

void ReadLayer(int fd) {
  auto compression = kiln::snapshot::DetectCompression(fd);
  if (!compression.ok()) return;
  auto source = kiln::snapshot::DecompressReader::Open(fd, *compression);
  if (!source.ok()) return;
  auto tar = kiln::snapshot::TarReader::Open(source->get());
  if (!tar.ok()) return;
  char buf[16384];
  for (int entries = 0; entries < 100000; ++entries) {
    auto more = (*tar)->Next();
    if (!more.ok()) return;
    if (!*more) {
      (void)(*tar)->Finish();
      (void)(*source)->DiffId();
      return;
    }
    archive_entry* e = (*tar)->entry();
    (void)archive_entry_pathname(e);
    (void)archive_entry_symlink(e);
    (void)archive_entry_hardlink(e);
    (void)archive_entry_size(e);
    for (;;) {
      auto n = (*tar)->ReadData(buf, sizeof buf);
      if (!n.ok() || *n == 0) break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int fd = memfd_create("layer", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size) ||
      lseek(fd, 0, SEEK_SET) != 0) {
    __builtin_trap();
  }
  ReadLayer(fd);
  return 0;
}
