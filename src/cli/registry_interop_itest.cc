// Interop, both ways, against Debian's docker-registry: what kiln pushes, skopeo inspects and
// podman pulls and runs; what skopeo (OCI and Docker schema 2, gzip and zstd), podman and buildah
// push, kiln pulls and runs a workflow on. Then logins: bearer tokens, basic auth over TLS with the
// test's CA.
#include "cli/registry_e2e_util.h"

namespace kiln::cli {
namespace {

using RegistryInterop = RegistryE2E;

TEST_F(RegistryInterop, KilnPushesSkopeoInspectsPodmanPullsAndRuns) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  ImportLayered("layered:1", 1);
  std::string ref = reg->host() + "/team/layered:1";
  auto push = Kiln({"push", "layered:1", ref, "--json"});
  ASSERT_EQ(push.code, 0) << push.err;
  Json pushed = ResultJson(push);
  EXPECT_EQ(pushed["reference"], ref);
  std::string digest = pushed.value("digest", "");
  EXPECT_EQ(digest.rfind("sha256:", 0), 0u) << push.out;

  EXPECT_EQ(SkopeoDigest(ref), digest);
  auto inspect = Tool({"skopeo", "inspect", "--tls-verify=false", "docker://" + ref});
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  auto info = ParseJson(inspect.out);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ((*info)["Layers"].size(), 3u) << inspect.out;
  EXPECT_EQ((*info)["Digest"], digest);

  auto pull = Tool({"podman", "pull", "-q", "--tls-verify=false", ref});
  ASSERT_EQ(pull.code, 0) << pull.err;
  std::vector<std::string> run = {"podman", "run", "--rm", "--network", "none"};
  run.insert(run.end(), kPodmanUlimits.begin(), kPodmanUlimits.end());
  run.insert(run.end(), {ref, "/bin/sh", "-c", "test -s /data/f1 && echo pushed-by-kiln"});
  auto ran = Tool(run);
  EXPECT_EQ(ran.code, 0) << ran.err;
  EXPECT_EQ(ran.out, "pushed-by-kiln\n");
  Tool({"podman", "rmi", "-f", ref});

  // Without REF the local name says where: tag it with the registry host, push it.
  ASSERT_EQ(Kiln({"image", "tag", "layered:1", reg->host() + "/team/layered:2"}).code, 0);
  auto again = Kiln({"push", reg->host() + "/team/layered:2"});
  ASSERT_EQ(again.code, 0) << again.err;
  auto tags = Tool(
      {"skopeo", "list-tags", "--tls-verify=false", "docker://" + reg->host() + "/team/layered"});
  ASSERT_EQ(tags.code, 0) << tags.err;
  EXPECT_NE(tags.out.find("\"1\""), std::string::npos) << tags.out;
  EXPECT_NE(tags.out.find("\"2\""), std::string::npos) << tags.out;
  EXPECT_EQ(SkopeoDigest(reg->host() + "/team/layered:2"), digest);
}

struct SkopeoForm {
  const char* name;
  std::vector<std::string> flags;
};

TEST_F(RegistryInterop, SkopeoPushesKilnPullsAndRunsAWorkflow) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  std::string layout = dir_.Sub("layout");
  ASSERT_TRUE(
      testing::WriteOciLayout(
          layout, "1", {testing::BusyboxLayer(), testing::RandomLayer("data", 3, 100 * 1024, 5)})
          .ok());
  Workflow("pulled.yml",
           "on: push\njobs:\n  a:\n    runs-on: pulled\n    steps:\n"
           "      - run: test -s /data/f2 && echo \"pulled-ok $(uname -s)\"\n");
  for (const SkopeoForm& form :
       std::vector<SkopeoForm>{{"oci-gzip", {}},
                               {"docker-v2s2", {"--format", "v2s2"}},
                               {"oci-zstd", {"--dest-compress-format", "zstd"}}}) {
    SCOPED_TRACE(form.name);
    std::string ref = reg->host() + "/team/" + form.name + ":1";
    std::vector<std::string> copy = {"skopeo", "copy", "-q", "--dest-tls-verify=false"};
    copy.insert(copy.end(), form.flags.begin(), form.flags.end());
    copy.insert(copy.end(), {"oci:" + layout + ":1", "docker://" + ref});
    auto copied = Tool(copy);
    ASSERT_EQ(copied.code, 0) << copied.err;
    std::string digest = SkopeoDigest(ref);

    auto pull = Kiln({"pull", ref, "--json"});
    ASSERT_EQ(pull.code, 0) << pull.err;
    Json pulled = ResultJson(pull);
    EXPECT_EQ(pulled["reference"], ref);
    EXPECT_EQ(pulled["digest"], digest);
    auto ls = Kiln({"images", reg->host() + "/team/" + form.name, "--json"});
    EXPECT_NE(ls.out.find(reg->host() + "/team/" + form.name), std::string::npos) << ls.out;

    auto run = Kiln({"run", "-P", "pulled=" + ref});
    EXPECT_EQ(run.code, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("pulled-ok Linux"), std::string::npos) << run.out;
  }
}

// podman pushes from containers-storage (Docker schema 2, gzip), buildah commits an OCI image
// and pushes it; kiln pulls each and runs a workflow on it.
TEST_F(RegistryInterop, PodmanAndBuildahPushKilnPullsAndRuns) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  std::string tar = dir_.Sub("rootfs.tar");
  ASSERT_TRUE(WriteFileAtomic(tar, testing::BusyboxLayer()).ok());
  std::string local = "localhost/kiln-interop-" + std::to_string(reg->port());
  std::string podman_ref = reg->host() + "/team/from-podman:1";
  std::string buildah_ref = reg->host() + "/team/from-buildah:1";

  auto imported = Tool({"podman", "import", "-q", tar, local + ":podman"});
  ASSERT_EQ(imported.code, 0) << imported.err;
  auto pushed = Tool(
      {"podman", "push", "-q", "--tls-verify=false", local + ":podman", "docker://" + podman_ref});
  Tool({"podman", "rmi", "-f", local + ":podman"});
  ASSERT_EQ(pushed.code, 0) << pushed.err;

  auto from = Tool({"buildah", "from", "-q", "scratch"});
  ASSERT_EQ(from.code, 0) << from.err;
  std::string container = from.out.substr(0, from.out.find('\n'));
  EXPECT_EQ(Tool({"buildah", "add", "-q", container, tar, "/"}).code, 0);
  EXPECT_EQ(Tool({"buildah", "config", "--cmd", "/bin/sh", container}).code, 0);
  auto commit = Tool({"buildah", "commit", "-q", "--format", "oci", container, local + ":buildah"});
  Tool({"buildah", "rm", container});
  ASSERT_EQ(commit.code, 0) << commit.err;
  auto bpush = Tool({"buildah", "push", "-q", "--tls-verify=false", local + ":buildah",
                     "docker://" + buildah_ref});
  Tool({"buildah", "rmi", "-f", local + ":buildah"});
  ASSERT_EQ(bpush.code, 0) << bpush.err;

  Workflow("peer.yml",
           "on: push\njobs:\n  a:\n    runs-on: peer\n    steps:\n"
           "      - run: echo \"peer-image-ok $(uname -s)\"\n");
  for (const std::string& ref : {podman_ref, buildah_ref}) {
    SCOPED_TRACE(ref);
    auto pull = Kiln({"pull", ref, "--json"});
    ASSERT_EQ(pull.code, 0) << pull.err;
    EXPECT_EQ(ResultJson(pull)["digest"], SkopeoDigest(ref));
    auto run = Kiln({"run", "-P", "peer=" + ref});
    EXPECT_EQ(run.code, 0) << run.out << run.err;
    EXPECT_NE(run.out.find("peer-image-ok Linux"), std::string::npos) << run.out;
  }
}

TEST_F(RegistryInterop, BearerTokenLoginPushPullLogout) {
  auto reg = StartRegistry({.auth = testing::RegistryAuth::kToken});
  ASSERT_TRUE(reg);
  ImportLayered("tok:1", 11);
  std::string ref = reg->host() + "/team/tok:1";
  auto anonymous = Kiln({"push", "tok:1", ref});
  EXPECT_NE(anonymous.code, 0);
  EXPECT_NE(anonymous.err.find(reg->host()), std::string::npos) << anonymous.err;

  int before = reg->TokenRequests();
  auto login =
      KilnIn({"login", reg->host(), "-u", reg->user(), "--password-stdin"}, reg->password() + "\n");
  ASSERT_EQ(login.code, 0) << login.err;
  auto push = Kiln({"push", "tok:1", ref, "--json"});
  ASSERT_EQ(push.code, 0) << push.err;
  EXPECT_GT(reg->TokenRequests(), before) << reg->TokenLog();
  std::string digest = ResultJson(push).value("digest", "");
  EXPECT_EQ(SkopeoDigest(ref, {"--authfile", AuthFile(*reg)}), digest);

  ASSERT_EQ(Kiln({"image", "rm", "tok:1"}).code, 0);
  auto pull = Kiln({"pull", ref, "--json"});
  ASSERT_EQ(pull.code, 0) << pull.err;
  EXPECT_EQ(ResultJson(pull)["digest"], digest);
  for (const auto& r : {login, push, pull}) {
    EXPECT_EQ((r.out + r.err).find(reg->password()), std::string::npos);
  }
  EXPECT_TRUE(FilesHolding(reg->password()).empty());  // Not in clear, not in a log.

  ASSERT_EQ(Kiln({"logout", reg->host()}).code, 0);
  EXPECT_TRUE(FilesHolding(Base64(reg->user() + ":" + reg->password())).empty());
  auto denied = Kiln({"pull", ref});
  EXPECT_NE(denied.code, 0);
  EXPECT_NE(denied.err.find(reg->host()), std::string::npos) << denied.err;
}

TEST_F(RegistryInterop, BasicAuthOverTlsWithTheTestsCa) {
  auto reg = StartRegistry({.auth = testing::RegistryAuth::kBasic, .tls = true});
  ASSERT_TRUE(reg);
  std::string certs = dir_.Sub("certs");
  ASSERT_TRUE(MakeDirs(certs).ok());
  ASSERT_TRUE(WriteFileAtomic(certs + "/ca.crt", *ReadFile(reg->ca_file())).ok());
  ImportLayered("tls:1", 21);
  std::string ref = reg->host() + "/team/tls:1";

  // A wrong password: a clear error, nothing stored, the password nowhere.
  std::string wrong = "wrong-" + reg->password();
  auto bad =
      KilnIn({"login", reg->host(), "-u", reg->user(), "--password-stdin", "--cert-dir", certs},
             wrong + "\n");
  EXPECT_NE(bad.code, 0);
  EXPECT_EQ((bad.out + bad.err).find(wrong), std::string::npos);
  EXPECT_TRUE(FilesHolding(Base64(reg->user() + ":" + wrong)).empty());
  EXPECT_TRUE(FilesHolding(wrong).empty());

  auto login =
      KilnIn({"login", reg->host(), "-u", reg->user(), "--password-stdin", "--cert-dir", certs},
             reg->password() + "\n");
  ASSERT_EQ(login.code, 0) << login.err;
  // Without the CA the certificate is not trusted, and kiln does not fall back to http.
  auto untrusted = Kiln({"push", "tls:1", ref});
  EXPECT_NE(untrusted.code, 0);
  EXPECT_NE(untrusted.err.find("certificate"), std::string::npos) << untrusted.err;
  auto push = Kiln({"push", "tls:1", ref, "--cert-dir", certs, "--json"});
  ASSERT_EQ(push.code, 0) << push.err;
  std::string digest = ResultJson(push).value("digest", "");
  auto seen = Tool({"skopeo", "inspect", "--raw", "--cert-dir", certs, "--authfile", AuthFile(*reg),
                    "docker://" + ref});
  ASSERT_EQ(seen.code, 0) << seen.err;
  EXPECT_EQ("sha256:" + Sha256::Hex(seen.out), digest);
}

}  // namespace
}  // namespace kiln::cli
