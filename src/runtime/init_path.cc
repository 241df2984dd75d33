// Finding the kiln-init binary (FindKilnInit in sandbox.h).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "base/fs.h"
#include "runtime/sandbox.h"

namespace kiln::runtime {
namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

constexpr char kSettings[] = "set init_path in kiln's config file or KILN_INIT in the environment";

}  // namespace

Result<std::string> FindKilnInit(const std::string& configured, const std::string& exe_dir) {
  // A setting names the binary: a wrong one is the packager's or user's mistake to hear about,
  // not a reason to run some other kiln-init found elsewhere.
  if (!configured.empty()) {
    if (IsExecutableFile(configured)) return configured;
    return FailedPrecondition("kiln-init not found: init_path is " + configured +
                              ", which is not an executable file; " + kSettings +
                              " to where it is");
  }
  const char* env = std::getenv("KILN_INIT");
  if (env != nullptr && *env != '\0') {
    if (IsExecutableFile(env)) return std::string(env);
    return FailedPrecondition(std::string("kiln-init not found: KILN_INIT is ") + env +
                              ", which is not an executable file; " + kSettings +
                              " to where it is");
  }
  std::string dir = exe_dir.empty() ? SelfExeDir() : exe_dir;
  std::string beside = dir + "/kiln-init";
  // Where `cmake --install` puts it (bin/kiln, libexec/kiln/kiln-init under one prefix).
  std::string libexec = dir + "/../libexec/kiln/kiln-init";
  for (const auto& path : {beside, libexec}) {
    if (IsExecutableFile(path)) return path;
  }
  return FailedPrecondition("kiln-init not found at " + beside + " or " + libexec +
                            " (neither init_path in the config nor KILN_INIT is set); install kiln "
                            "with its libexec/kiln/kiln-init, or " +
                            kSettings);
}

}  // namespace kiln::runtime
