#include "registry/credentials.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <set>

#include "base/fd.h"
#include "base/fs.h"
#include "base/log.h"
#include "registry/auth_file.h"

namespace kiln::registry {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

// Says once per process and host that a helper program holds its credentials.
void TellHelperOnce(const std::string& host, const std::string& file, const std::string& helper) {
  static std::mutex mu;
  static std::set<std::string> told;
  std::lock_guard lock(mu);
  if (!told.insert(host).second) return;
  LogInfo(host + ": " + file + " leaves its credentials to the helper docker-credential-" + helper +
          ", which kiln does not run; going on without them (kiln login " + host + ")");
}

// The parsed file, or nullopt when it does not exist.
Result<std::optional<Json>> ReadAuthFile(const std::string& file) {
  Result<std::string> text = ReadFile(file);
  if (!text.ok() && text.status().code() == Code::kNotFound) return std::optional<Json>();
  if (!text.ok()) return text.status();
  ASSIGN_OR_RETURN(Json json, ParseAuthFile(*text, file));
  return std::optional<Json>(std::move(json));
}

// LOCK_EX on `<file>.lock`, held while the returned fd lives (the file itself is replaced by
// rename, so its own inode cannot carry the lock).
Result<UniqueFd> LockFor(const std::string& file) {
  std::string path = file + ".lock";
  ASSIGN_OR_RETURN(UniqueFd fd, Open(path, O_RDWR | O_CREAT, 0600));
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return ErrnoStatus("flock " + path, errno);
  }
  return fd;
}

// Read-modify-write of kiln's file under its lock. `edit` changes the `auths` object.
Status EditKilnFile(const std::string& file, const std::function<Status(Json& auths)>& edit) {
  size_t slash = file.find_last_of('/');
  if (slash != std::string::npos && slash > 0)
    RETURN_IF_ERROR(MakeDirs(file.substr(0, slash), 0700));
  ASSIGN_OR_RETURN(UniqueFd lock, LockFor(file));
  ASSIGN_OR_RETURN(std::optional<Json> current, ReadAuthFile(file));
  Json config = current ? std::move(*current) : Json::object();
  if (!config.is_object()) return InvalidArgument(file + ": not a JSON object");
  Json& auths = config["auths"];
  if (auths.is_null()) auths = Json::object();
  if (!auths.is_object()) return InvalidArgument(file + ": \"auths\" is not an object");
  RETURN_IF_ERROR(edit(auths));
  std::string text = DumpJson(config, 2) + "\n";
  return WriteFileAtomicWith(file, 0600, [&](int fd) {
    // The mode is 0600 whatever the umask (open's mode only loses bits to it).
    if (::fchmod(fd, 0600) != 0) return ErrnoStatus("chmod " + file, errno);
    return WriteAll(fd, text);
  });
}

// Removes every key of `auths` naming `host`; how many there were.
int EraseHost(Json& auths, const std::string& host) {
  std::string want = AuthKeyHost(host);
  int erased = 0;
  for (auto it = auths.begin(); it != auths.end();) {
    if (it.key() == host || AuthKeyHost(it.key()) == want) {
      it = auths.erase(it);
      ++erased;
    } else {
      ++it;
    }
  }
  return erased;
}

}  // namespace

std::vector<std::string> DefaultAuthFiles() {
  // podman reads only this file when it is set.
  if (std::string f = Env("REGISTRY_AUTH_FILE"); !f.empty()) return {f};
  std::vector<std::string> files;
  if (std::string d = Env("XDG_RUNTIME_DIR"); !d.empty()) {
    files.push_back(JoinPath(d, "containers/auth.json"));
  } else {  // root under sudo, usually
    files.push_back("/run/containers/" + std::to_string(::getuid()) + "/auth.json");
  }
  std::string home = Env("HOME");
  if (std::string d = Env("XDG_CONFIG_HOME"); !d.empty()) {
    files.push_back(JoinPath(d, "containers/auth.json"));
  } else if (!home.empty()) {
    files.push_back(JoinPath(home, ".config/containers/auth.json"));
  }
  if (std::string d = Env("DOCKER_CONFIG"); !d.empty()) {
    files.push_back(JoinPath(d, "config.json"));
  } else if (!home.empty()) {
    files.push_back(JoinPath(home, ".docker/config.json"));
  }
  return files;
}

CredentialStore::CredentialStore(std::string kiln_file, std::vector<std::string> fallbacks)
    : kiln_file_(std::move(kiln_file)), fallbacks_(std::move(fallbacks)) {}

Result<std::optional<Credentials>> CredentialStore::For(const std::string& host) {
  std::vector<std::string> files = {kiln_file_};
  files.insert(files.end(), fallbacks_.begin(), fallbacks_.end());
  for (const std::string& file : files) {
    ASSIGN_OR_RETURN(std::optional<Json> config, ReadAuthFile(file));
    if (!config) continue;
    ASSIGN_OR_RETURN(AuthLookup found, LookupAuth(*config, file, host));
    if (found.credentials) return found.credentials;
    if (!found.helper.empty()) TellHelperOnce(host, file, found.helper);
  }
  return std::optional<Credentials>();
}

Status CredentialStore::Save(const std::string& host, const Credentials& credentials) {
  if (credentials.username.find(':') != std::string::npos) {
    return InvalidArgument("login " + host + ": a user name may not contain ':'");
  }
  std::string auth = Base64Encode(credentials.username + ":" + credentials.password);
  return EditKilnFile(kiln_file_,
                      [&](Json& auths) {
                        EraseHost(auths, host);
                        auths[host] = Json{{"auth", auth}};
                        return Status::Ok();
                      })
      .WithContext("login " + host);
}

Status CredentialStore::Remove(const std::string& host) {
  return EditKilnFile(kiln_file_,
                      [&](Json& auths) {
                        if (EraseHost(auths, host) == 0)
                          return NotFound("not logged in (" + kiln_file_ + ")");
                        return Status::Ok();
                      })
      .WithContext("logout " + host);
}

}  // namespace kiln::registry
