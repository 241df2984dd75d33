// Builds tar streams in memory for tests (libarchive, pax), including hostile ones.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <string>

#include "base/fd.h"

namespace kiln::testing {

class TarBuilder {
 public:
  TarBuilder();
  ~TarBuilder();
  TarBuilder& File(const std::string& path, const std::string& data, int mode = 0644);
  TarBuilder& Dir(const std::string& path, int mode = 0755);
  TarBuilder& Symlink(const std::string& path, const std::string& target);
  TarBuilder& Hardlink(const std::string& path, const std::string& target);
  TarBuilder& Device(const std::string& path, bool block, int major, int minor);
  TarBuilder& Xattr(const std::string& path, const std::string& name, const std::string& value);
  // The finished tar, and the same in a memfd positioned at 0.
  const std::string& Bytes();
  UniqueFd Fd();

 private:
  archive_entry* Begin(const std::string& path, unsigned type, int mode);
  void End(archive_entry* e, const std::string& data = "");
  archive* a_;
  std::string out_;
  bool closed_ = false;
};

}  // namespace kiln::testing
