// ApplyLayer: a layer's entries, checked and created inside the root (see layer_apply.h).
#include "snapshot/layer_apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "base/fs.h"
#include "snapshot/decompress.h"
#include "snapshot/entry_create.h"
#include "snapshot/safe_path.h"
#include "snapshot/tar_read.h"

namespace kiln::snapshot {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

Status ApplyWhiteout(int root_fd, const std::string& parent, const std::string& base) {
  ASSIGN_OR_RETURN(UniqueFd dir, OpenDirInRoot(root_fd, parent, true));
  if (base == kOpaque) {
    if (::fsetxattr(dir.get(), "trusted.overlay.opaque", "y", 1, 0) != 0) {
      return ErrnoStatus("mark " + parent + " opaque", errno);
    }
    return Status::Ok();
  }
  std::string name = base.substr(kWhiteoutPrefix.size());
  RETURN_IF_ERROR(RemoveExisting(dir.get(), name, parent));
  if (::mknodat(dir.get(), name.c_str(), S_IFCHR | 0000, makedev(0, 0)) != 0) {
    return ErrnoStatus("whiteout " + JoinPath(parent, name), errno);
  }
  return Status::Ok();
}

Status ApplyEntry(int root_fd, TarReader& tar, std::set<std::string>& seen, ApplyStats& stats,
                  int64_t& budget) {
  archive_entry* e = tar.entry();
  const char* raw = archive_entry_pathname(e);
  ASSIGN_OR_RETURN(std::string path, CleanPath(raw == nullptr ? "" : raw));
  if (path.empty()) return Status::Ok();  // the root itself
  if (!seen.insert(path).second) return InvalidArgument("duplicate entry");
  auto [parent, base] = SplitParent(path);
  if (base.rfind(kWhiteoutPrefix, 0) == 0) {
    if (base != kOpaque && base.rfind(".wh..", 0) == 0)
      return InvalidArgument("reserved whiteout name");
    if (base.size() == kWhiteoutPrefix.size()) return InvalidArgument("empty whiteout name");
    return ApplyWhiteout(root_fd, parent, base);
  }
  ASSIGN_OR_RETURN(UniqueFd dir, OpenDirInRoot(root_fd, parent, true));
  mode_t type = archive_entry_filetype(e);
  if (archive_entry_hardlink(e) != nullptr) {
    ASSIGN_OR_RETURN(std::string target, CleanPath(archive_entry_hardlink(e)));
    if (target.empty()) return InvalidArgument("hardlink to the root");
    return CreateHardlink(root_fd, dir.get(), base, target);
  }
  if ((type == AE_IFCHR || type == AE_IFBLK) && ::geteuid() != 0) {
    ++stats.skipped_devices;
    return Status::Ok();
  }
  return CreateEntry(dir.get(), base, e, tar, budget);
}

// What an entry costs on disk besides its data (layer_apply.h).
int64_t EntryCost(archive_entry* e) {
  int64_t cost = archive_entry_filetype(e) == AE_IFDIR ? kDirEntryCost : kOtherEntryCost;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  archive_entry_xattr_reset(e);
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    cost += static_cast<int64_t>(size) +
            (name == nullptr ? 0 : static_cast<int64_t>(std::strlen(name)));
  }
  return cost;
}

}  // namespace

std::string FormatBinaryBytes(int64_t b) {
  if (b > 0 && b % (int64_t{1} << 30) == 0) return std::to_string(b >> 30) + " GiB";
  if (b > 0 && b % (int64_t{1} << 20) == 0) return std::to_string(b >> 20) + " MiB";
  return std::to_string(b) + " bytes";
}

Result<ApplyStats> ApplyLayer(int fd, oci::Compression compression, const std::string& root_dir,
                              const ApplyOptions& options) {
  ASSIGN_OR_RETURN(UniqueFd root, Open(root_dir, O_DIRECTORY | O_RDONLY));
  ASSIGN_OR_RETURN(auto source, DecompressReader::Open(fd, compression));
  ASSIGN_OR_RETURN(auto tar, TarReader::Open(source.get()));
  ApplyStats stats;
  std::set<std::string> seen;
  int64_t budget = options.max_unpacked_bytes;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, tar->Next());
    if (!more) break;
    const char* name = archive_entry_pathname(tar->entry());
    if (stats.entries >= kMaxLayerEntries) {
      return InvalidArgument(options.name + " has more than " + std::to_string(kMaxLayerEntries) +
                             " entries");
    }
    budget -= EntryCost(tar->entry());
    Status s = budget < 0 ? Status::Ok() : ApplyEntry(root.get(), *tar, seen, stats, budget);
    if (budget < 0) {
      return InvalidArgument(options.name + " unpacks to more than " +
                             FormatBinaryBytes(options.max_unpacked_bytes) +
                             " (max_layer_unpacked)");
    }
    if (!s.ok()) return s.WithContext(std::string("layer entry \"") + (name ? name : "") + "\"");
    ++stats.entries;
  }
  RETURN_IF_ERROR(tar->Finish());
  stats.diff_id = source->DiffId();
  stats.uncompressed_bytes = source->BytesOut();
  return stats;
}

}  // namespace kiln::snapshot
