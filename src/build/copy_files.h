// The files of COPY and ADD: sources found in the build context (never outside it), their
// digest for the cache, and their copy into a staged tree. Internal to build/.
#pragma once

#include <sys/types.h>

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/status.h"

namespace kiln::build {

// .dockerignore patterns (one a line, `#` comments, `!` exceptions, `*`, `?`, `[...]` and `**`
// as docker matches them, relative to the context; the last matching pattern decides).
class IgnoreRules {
 public:
  static Result<IgnoreRules> Load(const std::string& context);
  bool Ignored(const std::string& rel_path) const;

 private:
  std::vector<std::pair<std::regex, bool>> patterns_;  // pattern, exception
};

struct Source {
  std::string rel;   // relative to the context, clean ("" = the context itself)
  std::string host;  // the path on the host
  bool is_dir = false;
};

// The sources `pattern` names in `context` (wildcards expanded, ignored files left out). A
// path that leaves the context, lexically or through a symlink, is PermissionDenied; nothing
// found is NotFound.
Result<std::vector<Source>> FindSources(const std::string& context, const std::string& pattern,
                                        const IgnoreRules& ignore);

// sha256 over the sources' relative paths, types, modes, contents and link targets (owners and
// times are not part of it: COPY gives files its own owner, as docker's cache ignores them).
Result<std::string> SourcesDigest(const std::vector<Source>& sources, const IgnoreRules& ignore,
                                  const std::string& context);

struct CopyOptions {
  int uid = 0, gid = 0;         // owner of everything copied
  std::optional<mode_t> chmod;  // --chmod
  std::string context;          // real path: a symlink inside is copied as a symlink
};
// Copies `src` (a file, symlink or directory: its contents) to the host path `dest`: a directory
// is merged into `dest` (made as needed), a file becomes `dest`. Modes and times kept.
Status CopyTree(const Source& src, const std::string& dest, const CopyOptions& options,
                const IgnoreRules& ignore);
// When `path` is a tar archive (plain, gzip, bzip2 or xz), extracts it into the directory
// `dest` as docker's ADD does (no entry may leave `dest`) and returns true; false when it is not.
Result<bool> ExtractIfArchive(const std::string& path, const std::string& dest);

}  // namespace kiln::build
