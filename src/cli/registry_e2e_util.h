// Helpers for the CLI's registry tests: a kiln state dir plus real registries (docker-registry),
// with skopeo and podman as independent judges of what kiln pushes and pulls.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/sha256.h"
#include "cli/e2e_util.h"
#include "testing/oci_layout.h"
#include "testing/registry_server.h"

namespace kiln::cli {

// podman's limits that this host accepts (see bench/common.sh).
inline const std::vector<std::string> kPodmanUlimits = {"--ulimit", "nofile=1024:1024", "--ulimit",
                                                        "nproc=4096:4096"};

class RegistryE2E : public KilnE2E {
 protected:
  std::unique_ptr<testing::RegistryServer> StartRegistry(const testing::RegistryOptions& o = {}) {
    auto reg = testing::RegistryServer::Start(o);
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    return reg.ok() ? std::move(*reg) : nullptr;
  }
  // kiln with `stdin_data` on its stdin (e.g. a password for --password-stdin).
  KilnResult KilnIn(std::vector<std::string> args, const std::string& stdin_data) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = ws_;
    o.stdin_data = stdin_data;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  static KilnResult Tool(const std::vector<std::string>& argv) {
    auto r = RunProcess(argv);
    EXPECT_TRUE(r.ok()) << argv[0] << ": " << r.status().ToString();
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  // A busybox image with two layers of seeded random data imported into kiln as `name`.
  void ImportLayered(const std::string& name, uint64_t seed, size_t file_bytes = 256 * 1024) {
    std::string layout = dir_.Sub("layout-" + std::to_string(seed));
    auto d = testing::WriteOciLayout(
        layout, "1",
        {testing::BusyboxLayer(), testing::RandomLayer("data", 2, file_bytes, seed),
         testing::RandomLayer("more", 2, file_bytes, seed + 1000)});
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    auto r = Kiln({"image", "import", "oci:" + layout + ":1", name});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  // The `--json` result of push/pull: {"reference", "digest"}.
  static Json ResultJson(const KilnResult& r) {
    auto j = ParseJson(r.out);
    EXPECT_TRUE(j.ok() && j->is_object()) << r.out;
    return j.ok() && j->is_object() ? *j : Json::object();
  }
  // The manifest digest skopeo sees at docker://REF (its raw bytes' sha256), or "".
  static std::string SkopeoDigest(const std::string& ref,
                                  const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {"skopeo", "inspect", "--raw", "--tls-verify=false"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("docker://" + ref);
    auto r = Tool(argv);
    EXPECT_EQ(r.code, 0) << r.err;
    return r.code == 0 ? "sha256:" + Sha256::Hex(r.out) : "";
  }
  // A containers-auth.json for skopeo and podman (so no password goes into their argv).
  std::string AuthFile(const testing::RegistryServer& reg) {
    std::string path = dir_.Sub("auth.json");
    std::string basic = Base64(reg.user() + ":" + reg.password());
    EXPECT_TRUE(
        WriteFileAtomic(path, DumpJson(Json{{"auths", {{reg.host(), {{"auth", basic}}}}}}), 0600)
            .ok());
    return path;
  }
  static std::string Base64(const std::string& in) {
    static constexpr char kTable[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
      for (int s = 18; s >= 0; s -= 6) out += kTable[(v >> s) & 63];
    }
    if (i < in.size()) {
      uint32_t v = uint8_t(in[i]) << 16;
      if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
      out += kTable[(v >> 18) & 63];
      out += kTable[(v >> 12) & 63];
      out += i + 1 < in.size() ? kTable[(v >> 6) & 63] : '=';
      out += '=';
    }
    return out;
  }
  // Every file under the state dir that holds `secret` (for "never stored in clear" checks).
  std::vector<std::string> FilesHolding(const std::string& secret) {
    auto r = Tool({"grep", "-rlF", "--", secret, state_});
    std::vector<std::string> files;
    size_t start = 0;
    while (start < r.out.size()) {
      size_t nl = r.out.find('\n', start);
      if (nl == std::string::npos) nl = r.out.size();
      if (nl > start) files.push_back(r.out.substr(start, nl - start));
      start = nl + 1;
    }
    return files;
  }
};

}  // namespace kiln::cli
