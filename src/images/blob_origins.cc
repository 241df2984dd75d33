#include "images/blob_origins.h"

#include <fcntl.h>

#include <algorithm>

#include "base/fd.h"
#include "base/fs.h"

namespace kiln::images {

Result<BlobOrigins> BlobOrigins::Open(const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir, 0755));
  return BlobOrigins(dir);
}

Status BlobOrigins::Note(const oci::Digest& digest, const std::string& host,
                         const std::string& repo) {
  if (host.find('\n') != std::string::npos || repo.find('\n') != std::string::npos) {
    return InvalidArgument("blob origin: a newline in \"" + host + "/" + repo + "\"");
  }
  for (const auto& known : ReposOn(digest, host)) {
    if (known == repo) return Status::Ok();
  }
  std::string path = dir_ + "/" + std::string(digest.hex());
  ASSIGN_OR_RETURN(UniqueFd fd, kiln::Open(path, O_WRONLY | O_CREAT | O_APPEND, 0644));
  return WriteAll(fd.get(), host + "/" + repo + "\n").WithContext("record blob origin " + path);
}

std::vector<std::string> BlobOrigins::ReposOn(const oci::Digest& digest,
                                              const std::string& host) const {
  std::vector<std::string> repos;
  auto text = ReadFile(dir_ + "/" + std::string(digest.hex()));
  if (!text.ok()) return repos;
  std::string prefix = host + "/";
  size_t pos = 0;
  while (pos < text->size()) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos) break;  // a torn last line: skipped
    std::string line = text->substr(pos, end - pos);
    pos = end + 1;
    if (line.rfind(prefix, 0) != 0) continue;
    std::string repo = line.substr(prefix.size());
    if (!repo.empty() && std::find(repos.begin(), repos.end(), repo) == repos.end()) {
      repos.push_back(repo);
    }
  }
  return repos;
}

}  // namespace kiln::images
