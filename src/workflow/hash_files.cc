#include "workflow/hash_files.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "base/fd.h"
#include "base/fs.h"
#include "base/sha256.h"

namespace kiln::workflow {
namespace {

struct Pattern {
  bool negate = false;
  bool dirs_only = false;  // written with a trailing '/'
  std::vector<std::string> segments;
};

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    std::string seg =
        s.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!seg.empty() && seg != ".") out.push_back(seg);
    if (slash == std::string::npos) return out;
    start = slash + 1;
  }
}

std::vector<Pattern> ParsePatterns(const std::vector<std::string>& args, const std::string& box) {
  std::vector<Pattern> out;
  for (const auto& arg : args) {
    size_t start = 0;
    while (start <= arg.size()) {
      size_t nl = arg.find('\n', start);
      std::string line =
          arg.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      start = nl == std::string::npos ? arg.size() + 1 : nl + 1;
      size_t a = line.find_first_not_of(" \t\r"), b = line.find_last_not_of(" \t\r");
      if (a == std::string::npos) continue;
      line = line.substr(a, b - a + 1);
      if (line[0] == '#' || line == "--follow-symbolic-links") continue;
      Pattern p;
      while (!line.empty() && line[0] == '!') {
        p.negate = !p.negate;
        line.erase(0, 1);
      }
      if (!box.empty() && (line == box || line.rfind(box + "/", 0) == 0)) {
        line.erase(0, box.size());
      } else if (!line.empty() && line[0] == '/') {
        continue;  // outside the workspace
      }
      p.dirs_only = !line.empty() && line.back() == '/';
      p.segments = Split(line);
      out.push_back(std::move(p));
    }
  }
  return out;
}

// Whether segments pat[i…] match path[j…] exactly.
bool MatchFrom(const std::vector<std::string>& pat, size_t i, const std::vector<std::string>& path,
               size_t j) {
  if (i == pat.size()) return j == path.size();
  if (pat[i] == "**") {
    for (size_t k = j; k <= path.size(); ++k)
      if (MatchFrom(pat, i + 1, path, k)) return true;
    return false;
  }
  if (j == path.size()) return false;
  if (fnmatch(pat[i].c_str(), path[j].c_str(), 0) != 0) return false;
  return MatchFrom(pat, i + 1, path, j + 1);
}

// The pattern matches the file or (implicit descendants) one of its directories.
bool Matches(const Pattern& p, const std::vector<std::string>& path) {
  if (p.segments.empty()) return !p.dirs_only || path.size() > 1;
  for (size_t n = path.size(); n >= 1; --n) {
    if (p.dirs_only && n == path.size()) continue;
    std::vector<std::string> prefix(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(n));
    if (MatchFrom(p.segments, 0, prefix, 0)) return true;
  }
  return false;
}

bool Selected(const std::vector<Pattern>& patterns, const std::vector<std::string>& path) {
  bool in = false;
  for (const auto& p : patterns)
    if (Matches(p, path)) in = !p.negate;
  return in;
}

std::string RawDigest(const std::string& hex) {
  std::string raw;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    raw += static_cast<char>(std::strtoul(hex.substr(i, 2).c_str(), nullptr, 16));
  return raw;
}

class Walk {
 public:
  Walk(std::string root, std::vector<Pattern> patterns)
      : root_(std::move(root)), patterns_(std::move(patterns)) {
    char* real = realpath(root_.c_str(), nullptr);
    if (real != nullptr) real_root_ = real;
    free(real);
  }

  Status Dir(const std::string& host, std::vector<std::string>& rel) {
    ASSIGN_OR_RETURN(auto names, ListDir(host));
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      if (++entries_ > kMaxHashFilesEntries) {
        return FailedPrecondition("hashFiles: more than " + std::to_string(kMaxHashFilesEntries) +
                                  " files and directories in the workspace");
      }
      std::string p = JoinPath(host, n);
      struct stat st;
      if (lstat(p.c_str(), &st) != 0) continue;
      rel.push_back(n);
      Status s;
      if (S_ISDIR(st.st_mode)) {
        s = Dir(p, rel);
      } else if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && Selected(patterns_, rel)) {
        s = File(p, S_ISLNK(st.st_mode));
      }
      rel.pop_back();
      RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  std::string Digest() {
    if (count_ == 0) return "";
    return total_.HexDigest();
  }

 private:
  Status File(const std::string& path, bool link) {
    std::string target = path;
    if (link) {
      char* real = realpath(path.c_str(), nullptr);
      if (real == nullptr) return Status::Ok();
      target = real;
      free(real);
      if (real_root_.empty() || target.rfind(real_root_ + "/", 0) != 0) return Status::Ok();
    }
    auto fd = Open(target, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (!fd.ok()) return fd.status().WithContext("hashFiles");
    struct stat st;
    if (fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) return Status::Ok();
    Sha256 h;
    RETURN_IF_ERROR(ReadChunks(fd->get(), [&](std::string_view d) {
      h.Update(d);
      return Status::Ok();
    }));
    total_.Update(RawDigest(h.HexDigest()));
    ++count_;
    return Status::Ok();
  }

  std::string root_, real_root_;
  std::vector<Pattern> patterns_;
  Sha256 total_;
  size_t entries_ = 0, count_ = 0;
};

}  // namespace

Result<std::string> HashFiles(const std::string& workspace_host,
                              const std::string& in_box_workspace,
                              const std::vector<std::string>& patterns) {
  std::vector<Pattern> parsed = ParsePatterns(patterns, in_box_workspace);
  if (workspace_host.empty() || parsed.empty() || !IsDirectory(workspace_host))
    return std::string();
  Walk walk(workspace_host, std::move(parsed));
  std::vector<std::string> rel;
  RETURN_IF_ERROR(walk.Dir(workspace_host, rel));
  return walk.Digest();
}

}  // namespace kiln::workflow
