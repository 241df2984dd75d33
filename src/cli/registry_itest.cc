// kiln pull, push, login, logout and image tag end to end, against Debian's docker-registry on
// 127.0.0.1, with skopeo as the independent judge.
#include <sys/stat.h>

#include "cli/e2e_util.h"
#include "oci/digest.h"
#include "testing/oci_layout.h"
#include "testing/registry_server.h"
#include "testing/tar_builder.h"

namespace kiln::cli {
namespace {

class RegistryE2E : public KilnE2E {
 protected:
  void StartRegistry(testing::RegistryAuth auth = testing::RegistryAuth::kNone, bool tls = false) {
    testing::RegistryOptions o;
    o.auth = auth;
    o.tls = tls;
    auto server = testing::RegistryServer::Start(o);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    registry_ = std::move(*server);
  }
  // A one-layer image "tiny:1" from a small rootfs tarball.
  void ImportTiny(const std::string& name = "tiny:1", const std::string& text = "tiny") {
    std::string tar = dir_.Sub("tiny.tar");
    ASSERT_TRUE(
        WriteFileAtomic(tar, testing::TarBuilder().Dir("etc").File("etc/tiny", text).Bytes()).ok());
    auto r = Kiln({"image", "import", "--format", "rootfs", tar, name});
    ASSERT_EQ(r.code, 0) << r.err;
  }
  KilnResult KilnWithStdin(std::vector<std::string> args, const std::string& in) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.stdin_data = in;
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  // skopeo's digest of a reference in the registry ("" when it cannot see it).
  std::string SkopeoDigest(const std::string& ref) {
    std::vector<std::string> argv = {"skopeo", "inspect", "--tls-verify=false", "--raw",
                                     "docker://" + ref};
    auto r = RunProcess(argv, {});
    if (!r.ok() || r->exit_code != 0) return "";
    return oci::Digest::FromData(r->out).str();
  }
  Json JsonOf(const KilnResult& r) {
    auto j = ParseJson(r.out);
    EXPECT_TRUE(j.ok()) << r.out;
    return j.ok() ? *j : Json::object();
  }
  std::unique_ptr<testing::RegistryServer> registry_;
};

TEST_F(RegistryE2E, PushThenPullIntoAnotherStateDirGivesTheSameImage) {
  StartRegistry();
  ImportTiny();
  std::string ref = registry_->host() + "/team/tiny:1.0";
  auto pushed = Kiln({"push", "--json", "tiny:1", ref});
  ASSERT_EQ(pushed.code, 0) << pushed.err;
  Json p = JsonOf(pushed);
  EXPECT_EQ(p["reference"], ref);
  std::string digest = p["digest"];
  EXPECT_EQ(SkopeoDigest(ref), digest);
  EXPECT_EQ(pushed.err.find("ETA"), std::string::npos) << "no progress off a terminal";
  state_ = dir_.Sub("state2");
  auto pulled = Kiln({"pull", "--json", ref});
  ASSERT_EQ(pulled.code, 0) << pulled.err;
  EXPECT_EQ(JsonOf(pulled)["digest"], digest);
  auto ls = Kiln({"image", "inspect", ref, "--json"});
  EXPECT_EQ(ls.code, 0) << ls.err;
  EXPECT_NE(ls.out.find(digest), std::string::npos);
  auto again = Kiln({"pull", ref});  // nothing new: the same digest, one line
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out, ref + " " + digest + "\n");
  EXPECT_EQ(again.err, "") << "nothing but the result off a terminal";
  std::string by_digest = registry_->host() + "/team/tiny@" + digest;
  auto pinned = Kiln({"pull", by_digest});
  ASSERT_EQ(pinned.code, 0) << pinned.err;
  EXPECT_EQ(pinned.out, by_digest + " " + digest + "\n");
}

TEST_F(RegistryE2E, PushWithoutADestinationNeedsAHostAndImageTagGivesOne) {
  StartRegistry();
  ImportTiny();
  auto refused = Kiln({"push", "tiny:1"});
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("names no registry host"), std::string::npos) << refused.err;
  std::string ref = registry_->host() + "/team/tiny:2";
  ASSERT_EQ(Kiln({"image", "tag", "tiny:1", ref}).code, 0);
  auto pushed = Kiln({"push", ref});
  ASSERT_EQ(pushed.code, 0) << pushed.err;
  EXPECT_FALSE(SkopeoDigest(ref).empty());
}

TEST_F(RegistryE2E, PullOfAMissingTagFailsClearlyAndNamesNothing) {
  StartRegistry();
  std::string ref = registry_->host() + "/team/none:1";
  auto r = Kiln({"pull", ref});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("MANIFEST_UNKNOWN"), std::string::npos) << r.err;
  EXPECT_EQ(Kiln({"image", "inspect", ref}).code, 1);
}

TEST_F(RegistryE2E, LoginChecksThePasswordStoresItPrivatelyAndLogoutForgetsIt) {
  StartRegistry(testing::RegistryAuth::kBasic);
  ImportTiny();
  std::string host = registry_->host();
  std::string ref = host + "/team/tiny:1";
  auto anonymous = Kiln({"push", "tiny:1", ref});
  EXPECT_EQ(anonymous.code, 1);
  EXPECT_NE(anonymous.err.find("kiln login"), std::string::npos) << anonymous.err;
  auto wrong = KilnWithStdin({"login", "-u", registry_->user(), "--password-stdin", host},
                             "not-the-password\n");
  EXPECT_EQ(wrong.code, 1);
  EXPECT_FALSE(PathExists(state_ + "/auth.json"));
  EXPECT_EQ(wrong.err.find("not-the-password"), std::string::npos);
  auto right = KilnWithStdin({"login", "-u", registry_->user(), "--password-stdin", host},
                             registry_->password() + "\n");
  ASSERT_EQ(right.code, 0) << right.err;
  struct stat st {};
  ASSERT_EQ(::stat((state_ + "/auth.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto pushed = Kiln({"push", "tiny:1", ref});
  ASSERT_EQ(pushed.code, 0) << pushed.err;
  EXPECT_EQ(pushed.err.find(registry_->password()), std::string::npos);
  ASSERT_EQ(Kiln({"logout", host}).code, 0);
  EXPECT_EQ(Kiln({"logout", host}).code, 1);
  EXPECT_EQ(Kiln({"push", "tiny:1", ref}).code, 1);
}

// An open registry never asks for the credentials, so it cannot say they are wrong: kiln
// says so and stores nothing, unless --force.
TEST_F(RegistryE2E, LoginToARegistryThatNeverAsksStoresNothingWithoutForce) {
  StartRegistry(testing::RegistryAuth::kNone);
  std::string host = registry_->host();
  auto unchecked =
      KilnWithStdin({"login", "-u", "someone", "--password-stdin", host}, "any-Pa55word\n");
  EXPECT_EQ(unchecked.code, 1);
  EXPECT_NE(unchecked.err.find("did not check them; nothing stored (--force"), std::string::npos)
      << unchecked.err;
  EXPECT_EQ(unchecked.err.find("any-Pa55word"), std::string::npos);
  EXPECT_FALSE(PathExists(state_ + "/auth.json"));
  auto forced = KilnWithStdin({"login", "-u", "someone", "--password-stdin", "--force", host},
                              "any-Pa55word\n");
  ASSERT_EQ(forced.code, 0) << forced.err;
  EXPECT_NE(forced.err.find("storing them unchecked"), std::string::npos) << forced.err;
  EXPECT_TRUE(PathExists(state_ + "/auth.json"));
}

// A cert dir is one registry's: kiln run, which may reach many, refuses it and says where
// each registry's certificates go.
TEST_F(RegistryE2E, RunRefusesCertDirAndPointsToCertsD) {
  auto r = Kiln({"run", "--cert-dir", dir_.path(), dir_.path()});
  EXPECT_EQ(r.code, 2) << r.err;  // a usage error
  EXPECT_NE(r.err.find("/etc/containers/certs.d/HOST:PORT/"), std::string::npos) << r.err;
}

TEST_F(RegistryE2E, TlsWithTheRegistrysOwnCaFromCertDirOrNoVerification) {
  StartRegistry(testing::RegistryAuth::kNone, /*tls=*/true);
  ImportTiny();
  std::string ref = registry_->host() + "/team/tiny:tls";
  auto unknown_ca = Kiln({"push", "tiny:1", ref});
  EXPECT_EQ(unknown_ca.code, 1);
  EXPECT_NE(unknown_ca.err.find("certificate"), std::string::npos) << unknown_ca.err;
  std::string certs = dir_.Sub("certs");
  ASSERT_TRUE(MakeDirs(certs).ok());
  ASSERT_TRUE(WriteFileAtomic(certs + "/ca.crt", *ReadFile(registry_->ca_file())).ok());
  auto pushed = Kiln({"push", "--cert-dir", certs, "tiny:1", ref});
  ASSERT_EQ(pushed.code, 0) << pushed.err;
  state_ = dir_.Sub("state2");
  auto pulled = Kiln({"pull", "--tls-verify=false", ref});
  ASSERT_EQ(pulled.code, 0) << pulled.err;
  EXPECT_EQ(Kiln({"pull", "--tls-verify=maybe", ref}).code, 2);
}

// What skopeo pushes (gzip or zstd, four layers), kiln pulls in parallel and runs. Each format
// gets layers of its own, so that skopeo cannot reuse the other's blobs.
TEST_F(RegistryE2E, SkopeoPushedMultiLayerImagesPullAndRun) {
  StartRegistry();
  for (const std::string format : {"zstd", "gzip"}) {
    std::string layout = dir_.Sub("layout-" + format);
    uint64_t base = format == "zstd" ? 10 : 20;
    std::vector<std::string> layers = {format == "zstd" ? testing::BusyboxLayer()
                                                        : testing::RandomLayer("x", 1, 99, base)};
    for (uint64_t seed = 1; seed <= 3; ++seed) {
      layers.push_back(
          testing::RandomLayer("data" + std::to_string(seed), 4, 256 << 10, base + seed));
    }
    ASSERT_TRUE(testing::WriteOciLayout(layout, "multi", layers).ok());
    std::string ref = registry_->host() + "/interop/multi:" + format;
    auto copied =
        RunProcess({"skopeo", "copy", "--dest-tls-verify=false", "--dest-compress-format=" + format,
                    "oci:" + layout + ":multi", "docker://" + ref},
                   {});
    ASSERT_TRUE(copied.ok() && copied->exit_code == 0) << (copied.ok() ? copied->err : "");
    auto pulled = Kiln({"pull", "--json", ref});
    ASSERT_EQ(pulled.code, 0) << pulled.err;
    EXPECT_EQ(JsonOf(pulled)["digest"], SkopeoDigest(ref));
    auto inspect = Kiln({"image", "inspect", "--json", ref});
    ASSERT_EQ(inspect.code, 0) << inspect.err;
    EXPECT_NE(inspect.out.find("layer.v1.tar+" + format), std::string::npos)
        << inspect.out.substr(0, 2000);
  }
  Workflow("ci.yml", "on: push\njobs:\n  a:\n    runs-on: {image: " + registry_->host() +
                         "/interop/multi:zstd}\n    steps:\n      - run: ls /data3 | wc -l\n");
  auto run = Kiln({"run"});
  ASSERT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("| 4"), std::string::npos) << run.out;
}

// On a terminal (script(1) gives kiln one), each blob's line is drawn and redrawn on stderr.
TEST_F(RegistryE2E, ATerminalShowsEachBlobsProgress) {
  StartRegistry();
  ImportTiny();
  std::string ref = registry_->host() + "/team/tiny:tty";
  std::string cmd = testing::KilnBinary() + " --state-dir " + state_ + " push tiny:1 " + ref;
  auto r = RunProcess({"script", "-qec", cmd, "/dev/null"}, {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->exit_code, 0) << r->out;
  EXPECT_NE(r->out.find("config   sha256:"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("layer    sha256:"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("done"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("\033[2K"), std::string::npos) << "lines are redrawn in place";
}

TEST_F(RegistryE2E, HelpReadsLikeAManPage) {
  for (const char* verb : {"pull", "push", "login", "logout"}) {
    auto r = Kiln({verb, "--help"});
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("SYNOPSIS"), std::string::npos) << verb;
  }
  EXPECT_NE(Kiln({"image", "tag", "--help"}).out.find("DESCRIPTION"), std::string::npos);
}

}  // namespace
}  // namespace kiln::cli
