// WriteLayerFromDir / WriteLayerFromTarball (see layer_write.h).
#include "snapshot/layer_write.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>

#include "base/fs.h"
#include "snapshot/decompress.h"
#include "snapshot/safe_path.h"
#include "snapshot/tar_read.h"
#include "snapshot/tar_write.h"

namespace kiln::snapshot {
namespace {

struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using Entry = std::unique_ptr<archive_entry, EntryFree>;

struct Walk {
  const WriteOptions& options;
  TarWriter& tar;
  CompressSink& sink;
  std::map<std::pair<dev_t, ino_t>, std::string> links;  // first path of each multi-link inode
  int64_t entries = 0;
  int64_t last_progress = 0;
};

void CopyXattrs(int fd, archive_entry* e, bool* opaque) {
  char names[65536];
  ssize_t len = ::flistxattr(fd, names, sizeof names);
  for (ssize_t i = 0; i < len;) {
    std::string name = names + i;
    i += static_cast<ssize_t>(name.size()) + 1;
    char value[65536];
    ssize_t n = ::fgetxattr(fd, name.c_str(), value, sizeof value);
    if (n < 0) continue;
    if (name.rfind("trusted.overlay.", 0) == 0) {
      if (name == "trusted.overlay.opaque" && n == 1 && value[0] == 'y') *opaque = true;
      continue;
    }
    archive_entry_xattr_add_entry(e, name.c_str(), value, static_cast<size_t>(n));
  }
}

Status AddPlain(Walk& w, const std::string& path, archive_entry* e) {
  ++w.entries;
  archive_entry_set_pathname(e, path.c_str());
  return w.tar.Add(e);
}

Status WalkDir(Walk& w, int dir_fd, const std::string& prefix);

// A name starting with ".wh." means a whiteout in a layer: a file so named cannot be stored as
// itself (it would delete its sibling, or make the layer unusable) and is refused.
Status CheckStorableName(const std::string& path) {
  if (SplitParent(path).second.rfind(".wh.", 0) != 0) return Status::Ok();
  return InvalidArgument(
      "\"" + path +
      "\": names starting with .wh. are OCI whiteouts and cannot be stored in a layer");
}

Status AddPath(Walk& w, int dir_fd, const std::string& name, const std::string& path) {
  if (w.options.exclude.count(path) != 0) return Status::Ok();
  RETURN_IF_ERROR(CheckStorableName(path));
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return ErrnoStatus("stat " + path, errno);
  bool upper = w.options.kind == SourceKind::kOverlayUpper;
  Entry e(archive_entry_new());
  archive_entry_copy_stat(e.get(), &st);
  archive_entry_set_pathname(e.get(), path.c_str());
  if (S_ISCHR(st.st_mode) && upper && st.st_rdev == makedev(0, 0)) {  // overlay whiteout
    auto [parent, base] = SplitParent(path);
    Entry wh(archive_entry_new());
    archive_entry_set_filetype(wh.get(), AE_IFREG);
    archive_entry_set_perm(wh.get(), 0644);
    archive_entry_set_mtime(wh.get(), st.st_mtime, 0);
    return AddPlain(w, parent.empty() ? ".wh." + base : parent + "/.wh." + base, wh.get());
  }
  if (S_ISSOCK(st.st_mode)) return Status::Ok();
  if (S_ISLNK(st.st_mode)) {
    char target[4097];
    ssize_t n = ::readlinkat(dir_fd, name.c_str(), target, sizeof target - 1);
    if (n < 0) return ErrnoStatus("readlink " + path, errno);
    target[n] = '\0';
    archive_entry_set_symlink(e.get(), target);
    return AddPlain(w, path, e.get());
  }
  if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
    auto [it, first] = w.links.emplace(std::make_pair(st.st_dev, st.st_ino), path);
    if (!first) {
      archive_entry_set_hardlink(e.get(), it->second.c_str());
      archive_entry_set_size(e.get(), 0);
      return AddPlain(w, path, e.get());
    }
  }
  int flags = O_RDONLY | O_NOFOLLOW | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
  if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) flags |= O_PATH;
  ASSIGN_OR_RETURN(UniqueFd fd, OpenAt(dir_fd, name, flags));
  bool opaque = false;
  if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) CopyXattrs(fd.get(), e.get(), &opaque);
  ++w.entries;
  RETURN_IF_ERROR_CTX(w.tar.Add(e.get(), S_ISREG(st.st_mode) ? fd.get() : -1), path);
  if (w.options.on_progress && w.sink.BytesIn() - w.last_progress > (64 << 20)) {
    w.last_progress = w.sink.BytesIn();
    w.options.on_progress(w.last_progress);
  }
  if (!S_ISDIR(st.st_mode)) return Status::Ok();
  if (opaque && upper) {
    Entry wh(archive_entry_new());
    archive_entry_set_filetype(wh.get(), AE_IFREG);
    archive_entry_set_perm(wh.get(), 0644);
    RETURN_IF_ERROR(AddPlain(w, path + "/.wh..wh..opq", wh.get()));
  }
  return WalkDir(w, fd.get(), path);
}

Status WalkDir(Walk& w, int dir_fd, const std::string& prefix) {
  ASSIGN_OR_RETURN(auto names, ListDir("/proc/self/fd/" + std::to_string(dir_fd)));
  for (const auto& name : names) {
    RETURN_IF_ERROR(AddPath(w, dir_fd, name, prefix.empty() ? name : prefix + "/" + name));
  }
  return Status::Ok();
}

// Runs `produce` (which writes tar entries) into a new blob and commits it.
Result<LayerInfo> Produce(
    const WriteOptions& options, content::BlobStore& store,
    const std::function<Status(TarWriter&, CompressSink&, int64_t&)>& produce) {
  ASSIGN_OR_RETURN(auto blob, store.NewWriter());
  auto sink = CompressSink::New(options.compression, options.compression_level, 0, blob.get());
  ASSIGN_OR_RETURN(auto tar, TarWriter::Open(sink.get()));
  LayerInfo info;
  RETURN_IF_ERROR(produce(*tar, *sink, info.entries));
  RETURN_IF_ERROR(tar->Close());
  RETURN_IF_ERROR(sink->Finish());
  ASSIGN_OR_RETURN(info.descriptor, blob->Commit(oci::LayerMediaType(options.compression)));
  info.diff_id = sink->DiffId();
  info.uncompressed_bytes = sink->BytesIn();
  return info;
}

}  // namespace

Result<LayerInfo> WriteLayerFromDir(const std::string& dir, const WriteOptions& options,
                                    content::BlobStore& store) {
  ASSIGN_OR_RETURN(UniqueFd root, Open(dir, O_RDONLY | O_DIRECTORY));
  return Produce(options, store, [&](TarWriter& tar, CompressSink& sink, int64_t& entries) {
    Walk w{options, tar, sink, {}, 0, 0};
    RETURN_IF_ERROR(WalkDir(w, root.get(), ""));
    entries = w.entries;
    return Status::Ok();
  });
}

Result<LayerInfo> WriteLayerFromTarball(const std::string& tar_path, const WriteOptions& options,
                                        content::BlobStore& store) {
  ASSIGN_OR_RETURN(UniqueFd fd, Open(tar_path, O_RDONLY));
  ASSIGN_OR_RETURN(oci::Compression compression, DetectCompression(fd.get()));
  ASSIGN_OR_RETURN(auto source, DecompressReader::Open(fd.get(), compression));
  ASSIGN_OR_RETURN(auto in, TarReader::Open(source.get()));
  return Produce(options, store, [&](TarWriter& tar, CompressSink&, int64_t& entries) -> Status {
    std::set<std::string> seen;
    for (;;) {
      ASSIGN_OR_RETURN(bool more, in->Next());
      if (!more) return Status::Ok();
      archive_entry* e = in->entry();
      const char* raw = archive_entry_pathname(e);
      auto path = CleanPath(raw == nullptr ? "" : raw);
      if (!path.ok())
        return path.status().WithContext(std::string("entry \"") + (raw ? raw : "") + "\"");
      if (path->empty()) continue;
      RETURN_IF_ERROR(CheckStorableName(*path));
      if (!seen.insert(*path).second) return InvalidArgument("duplicate entry \"" + *path + "\"");
      archive_entry_set_pathname(e, path->c_str());
      if (archive_entry_hardlink(e) != nullptr) {
        ASSIGN_OR_RETURN(std::string target, CleanPath(archive_entry_hardlink(e)));
        archive_entry_set_hardlink(e, target.c_str());
        RETURN_IF_ERROR_CTX(tar.Add(e), *path);
        ++entries;
        continue;
      }
      // Streamed from reader to writer: memory stays flat whatever the file's size, and a
      // sparse entry stays sparse (its map is carried over, its holes are not stored).
      RETURN_IF_ERROR_CTX(
          tar.AddStream(e, [&](char* buf, size_t n) { return in->ReadData(buf, n); }), *path);
      ++entries;
    }
  });
}

}  // namespace kiln::snapshot
