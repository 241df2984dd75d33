// kiln's seccomp profile against Docker's default profile (../shared/external/moby-seccomp):
// whatever Docker does not allow a container with kiln's capabilities, kiln does not allow
// either, and clone's namespace flags are masked.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/fs.h"
#include "base/json.h"
#include "runtime/spec.h"
#include "testing/test_env.h"

namespace kiln::runtime {
namespace {

constexpr uint64_t kNamespaceFlags[] = {0x20000 /*NEWNS*/,
                                        0x02000000 /*NEWCGROUP*/,
                                        0x04000000 /*NEWUTS*/,
                                        0x08000000 /*NEWIPC*/,
                                        0x10000000 /*NEWUSER*/,
                                        0x20000000 /*NEWPID*/,
                                        0x40000000 /*NEWNET*/};

class SecuritySeccomp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto text = ReadFile(testing::SourceDir() + "/../shared/external/moby-seccomp/default.json");
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    docker_ = *ParseJson(*text);
    SpecInput in;
    in.rootfs = "/r";
    Json spec = RuntimeSpec(in);
    kiln_ = spec["linux"]["seccomp"];
    for (const auto& c : spec["process"]["capabilities"]["bounding"])
      caps_.insert(c.get<std::string>());
  }

  bool HasKilnCap(const Json& caps) const {
    for (const auto& c : caps) {
      if (caps_.count(c.get<std::string>()) != 0) return true;
    }
    return false;
  }
  // Whether a rule of Docker's applies to an x86 container with kiln's capabilities.
  bool Applies(const Json& rule) const {
    Json inc = rule.value("includes", Json::object()), exc = rule.value("excludes", Json::object());
    if (inc.contains("caps") && !HasKilnCap(inc["caps"])) return false;  // a cap kiln lacks
    if (exc.contains("caps") && HasKilnCap(exc["caps"])) return false;
    if (inc.contains("arches")) {
      bool x86 = false;
      for (const auto& a : inc["arches"]) x86 |= a == "amd64" || a == "x86" || a == "x32";
      if (!x86) return false;
    }
    if (exc.contains("arches")) {
      for (const auto& a : exc["arches"]) {
        if (a == "amd64" || a == "x86" || a == "x32") return false;
      }
    }
    return true;
  }
  // Names a rule set allows with no condition on the arguments.
  static std::set<std::string> Unconditional(const Json& rules,
                                             const std::function<bool(const Json&)>& applies) {
    std::set<std::string> out;
    for (const auto& r : rules) {
      if (r["action"] != "SCMP_ACT_ALLOW" || r.contains("args") || !applies(r)) continue;
      for (const auto& n : r["names"]) out.insert(n.get<std::string>());
    }
    return out;
  }
  std::set<std::string> KilnAllows() const {
    return Unconditional(kiln_["syscalls"], [](const Json&) { return true; });
  }

  Json docker_, kiln_;
  std::set<std::string> caps_;
};

TEST_F(SecuritySeccomp, DeniesByDefaultAsDocker) {
  EXPECT_EQ(docker_["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(kiln_["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(kiln_.value("defaultErrnoRet", 1), 1);
}

// Every syscall kiln allows outright, Docker allows outright for kiln's capabilities: so
// everything Docker denies (absent from its lists, or allowed only with CAP_SYS_ADMIN,
// CAP_SYS_MODULE, CAP_BPF, …) kiln denies too.
TEST_F(SecuritySeccomp, AllowsNothingDockerDenies) {
  std::set<std::string> docker =
      Unconditional(docker_["syscalls"], [&](const Json& r) { return Applies(r); });
  ASSERT_GT(docker.size(), 300u);
  for (const auto& name : KilnAllows())
    EXPECT_EQ(docker.count(name), 1u) << name << " is allowed by kiln only";
}

TEST_F(SecuritySeccomp, DeniesWhatDockerAllowsOnlyWithCapabilitiesKilnLacks) {
  std::set<std::string> kiln = KilnAllows(), docker_uncond;
  docker_uncond = Unconditional(docker_["syscalls"], [&](const Json& r) { return Applies(r); });
  int checked = 0;
  for (const auto& r : docker_["syscalls"]) {
    if (!r.contains("includes") || !r["includes"].contains("caps") || Applies(r)) continue;
    for (const auto& n : r["names"]) {
      std::string name = n.get<std::string>();
      if (docker_uncond.count(name) != 0) continue;  // e.g. ptrace: allowed on kernels >= 4.8
      EXPECT_EQ(kiln.count(name), 0u) << name;
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);
  for (const char* name :
       {"mount", "unshare", "setns", "bpf", "io_uring_setup", "io_uring_enter", "io_uring_register",
        "open_by_handle_at", "name_to_handle_at", "clone", "clone3", "keyctl", "perf_event_open",
        "userfaultfd", "kexec_load", "init_module"}) {
    EXPECT_EQ(kiln.count(name), 0u) << name;
  }
}

// Conditional rules: each of kiln's is one of Docker's, and clone is allowed only when none
// of the namespace flags is set; clone3 fails with ENOSYS so that libc falls back to clone.
TEST_F(SecuritySeccomp, CloneNamespaceFlagsAreMaskedAndClone3IsEnosys) {
  int clone_rules = 0;
  for (const auto& r : kiln_["syscalls"]) {
    if (r["names"] == Json::array({"clone3"})) {
      EXPECT_EQ(r["action"], "SCMP_ACT_ERRNO");
      EXPECT_EQ(r["errnoRet"], 38);
    }
    if (!r.contains("args")) continue;
    ASSERT_EQ(r["action"], "SCMP_ACT_ALLOW");
    ASSERT_EQ(r["args"].size(), 1u);
    const Json& a = r["args"][0];
    bool docker_has = false;
    for (const auto& d : docker_["syscalls"]) {
      if (d.contains("args") && d["names"] == r["names"] && Applies(d) &&
          d["args"][0]["index"] == a["index"] && d["args"][0]["value"] == a["value"] &&
          d["args"][0]["op"] == a["op"]) {
        docker_has = true;
      }
    }
    EXPECT_TRUE(docker_has) << r.dump();
    if (r["names"] == Json::array({"clone"})) {
      ++clone_rules;
      EXPECT_EQ(a["index"], 0);
      EXPECT_EQ(a["op"], "SCMP_CMP_MASKED_EQ");
      EXPECT_EQ(a.value("valueTwo", uint64_t{0}), 0u);
      for (uint64_t flag : kNamespaceFlags)
        EXPECT_NE(a["value"].get<uint64_t>() & flag, 0u) << std::hex << flag;
    }
  }
  EXPECT_EQ(clone_rules, 1);
}

}  // namespace
}  // namespace kiln::runtime
