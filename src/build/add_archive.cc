// ADD of a local tar archive: extracted into the destination (copy_files.h).
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <memory>

#include "base/fs.h"
#include "build/copy_files.h"

namespace kiln::build {
namespace {

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

// The entry's path inside `dest`, or an error when it would leave it.
Result<std::string> Inside(const std::string& dest, const char* raw) {
  std::string path = raw == nullptr ? "" : raw;
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(i, slash - i);
    if (part == "..")
      return PermissionDenied("archive entry \"" + path + "\" leaves the destination");
    if (!part.empty() && part != ".") parts.push_back(part);
    i = slash + 1;
  }
  std::string out = dest;
  for (const auto& p : parts) out += "/" + p;
  return out;
}

Status ArchiveError(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return DataLoss(what + ": " + (msg ? msg : "archive error"));
}

Status CopyData(archive* in, archive* out) {
  const void* buf;
  size_t size;
  la_int64_t offset;
  for (;;) {
    int r = archive_read_data_block(in, &buf, &size, &offset);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r != ARCHIVE_OK) return ArchiveError(in, "read");
    if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
      return ArchiveError(out, "write");
  }
}

}  // namespace

Result<bool> ExtractIfArchive(const std::string& path, const std::string& dest) {
  std::unique_ptr<archive, ReadFree> in(archive_read_new());
  archive_read_support_filter_gzip(in.get());
  archive_read_support_filter_bzip2(in.get());
  archive_read_support_filter_xz(in.get());
  archive_read_support_format_tar(in.get());
  if (archive_read_open_filename(in.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) return false;
  archive_entry* e = nullptr;
  int r = archive_read_next_header(in.get(), &e);
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return false;  // not a tar: copied as a file
  std::unique_ptr<archive, WriteFree> out(archive_write_disk_new());
  int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_XATTR |
              ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
              ARCHIVE_EXTRACT_UNLINK;
  if (::geteuid() == 0) flags |= ARCHIVE_EXTRACT_OWNER;
  archive_write_disk_set_options(out.get(), flags);
  RETURN_IF_ERROR(MakeDirs(dest));
  for (; r == ARCHIVE_OK || r == ARCHIVE_WARN; r = archive_read_next_header(in.get(), &e)) {
    ASSIGN_OR_RETURN(std::string target, Inside(dest, archive_entry_pathname(e)));
    archive_entry_set_pathname(e, target.c_str());
    if (const char* link = archive_entry_hardlink(e)) {
      ASSIGN_OR_RETURN(std::string to, Inside(dest, link));
      archive_entry_set_hardlink(e, to.c_str());
    }
    if (archive_write_header(out.get(), e) != ARCHIVE_OK)
      return ArchiveError(out.get(), "extract " + path);
    if (archive_entry_size(e) > 0) RETURN_IF_ERROR(CopyData(in.get(), out.get()));
    if (archive_write_finish_entry(out.get()) != ARCHIVE_OK)
      return ArchiveError(out.get(), "extract " + path);
  }
  if (r != ARCHIVE_EOF) return ArchiveError(in.get(), "read " + path);
  if (archive_write_close(out.get()) != ARCHIVE_OK)
    return ArchiveError(out.get(), "extract " + path);
  return true;
}

}  // namespace kiln::build
