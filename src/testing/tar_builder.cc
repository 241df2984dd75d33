#include "testing/tar_builder.h"

#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>

namespace kiln::testing {
namespace {
la_ssize_t Append(archive*, void* self, const void* buf, size_t n) {
  static_cast<std::string*>(self)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}
}  // namespace

TarBuilder::TarBuilder() : a_(archive_write_new()) {
  archive_write_set_format_pax_restricted(a_);
  archive_write_set_bytes_in_last_block(a_, 1);
  archive_write_open(a_, &out_, nullptr, Append, nullptr);
}

TarBuilder::~TarBuilder() { archive_write_free(a_); }

archive_entry* TarBuilder::Begin(const std::string& path, unsigned type, int mode) {
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, path.c_str());
  archive_entry_set_filetype(e, type);
  archive_entry_set_perm(e, static_cast<__LA_MODE_T>(mode));
  archive_entry_set_mtime(e, 1700000000, 0);
  return e;
}

void TarBuilder::End(archive_entry* e, const std::string& data) {
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  if (archive_write_header(a_, e) != ARCHIVE_OK) std::abort();
  if (!data.empty()) archive_write_data(a_, data.data(), data.size());
  archive_entry_free(e);
}

TarBuilder& TarBuilder::File(const std::string& path, const std::string& data, int mode) {
  End(Begin(path, AE_IFREG, mode), data);
  return *this;
}
TarBuilder& TarBuilder::Dir(const std::string& path, int mode) {
  End(Begin(path, AE_IFDIR, mode));
  return *this;
}
TarBuilder& TarBuilder::Symlink(const std::string& path, const std::string& target) {
  archive_entry* e = Begin(path, AE_IFLNK, 0777);
  archive_entry_set_symlink(e, target.c_str());
  End(e);
  return *this;
}
TarBuilder& TarBuilder::Hardlink(const std::string& path, const std::string& target) {
  archive_entry* e = Begin(path, AE_IFREG, 0644);
  archive_entry_set_hardlink(e, target.c_str());
  End(e);
  return *this;
}
TarBuilder& TarBuilder::Device(const std::string& path, bool block, int major, int minor) {
  archive_entry* e = Begin(path, block ? AE_IFBLK : AE_IFCHR, 0600);
  archive_entry_set_rdev(e, makedev(major, minor));
  End(e);
  return *this;
}
TarBuilder& TarBuilder::Xattr(const std::string& path, const std::string& name,
                              const std::string& value) {
  archive_entry* e = Begin(path, AE_IFREG, 0644);
  archive_entry_xattr_add_entry(e, name.c_str(), value.data(), value.size());
  End(e);
  return *this;
}

const std::string& TarBuilder::Bytes() {
  if (!closed_) {
    archive_write_close(a_);
    closed_ = true;
  }
  return out_;
}

UniqueFd TarBuilder::Fd() {
  const std::string& b = Bytes();
  UniqueFd fd(::memfd_create("tar", MFD_CLOEXEC));
  (void)WriteAll(fd.get(), b);
  ::lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

}  // namespace kiln::testing
