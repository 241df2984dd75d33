// `uses:` actions end to end under crun: a JavaScript action with pre and post on an image
// with node (the host's node and the libraries it needs, over busybox), and a Docker action
// whose image is built from its Dockerfile (FROM busybox) by kiln's builder.
#include <sstream>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

class ActionE2E : public KilnE2E {
 protected:
  void Write(const std::string& path, const std::string& text) {
    ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(WriteFileAtomic(path, text).ok());
  }
  void ImportBusybox() {
    std::string rootfs = dir_.Sub("busybox");
    testing::MakeBusyboxRootfs(rootfs);
    ASSERT_EQ(Kiln({"image", "import", rootfs, "busybox:1"}).code, 0);
  }
  // busybox plus the host's node and the shared libraries `ldd` lists for it.
  void ImportNode() {
    if (!PathExists("/usr/bin/node")) GTEST_SKIP() << "no /usr/bin/node on this host";
    std::string rootfs = dir_.Sub("node");
    testing::MakeBusyboxRootfs(rootfs);
    auto ldd = RunProcess({"ldd", "/usr/bin/node"});
    ASSERT_TRUE(ldd.ok() && ldd->exit_code == 0);
    std::vector<std::string> files = {"/usr/bin/node"};
    std::istringstream lines(ldd->out);
    for (std::string line; std::getline(lines, line);) {
      size_t slash = line.find('/');
      if (slash == std::string::npos) continue;  // linux-vdso
      files.push_back(line.substr(slash, line.find(' ', slash) - slash));
    }
    for (const auto& f : files) {
      ASSERT_TRUE(MakeDirs(rootfs + f.substr(0, f.rfind('/'))).ok());
      auto cp = RunProcess({"cp", "-L", f, rootfs + f});
      ASSERT_TRUE(cp.ok() && cp->exit_code == 0) << f;
    }
    ASSERT_EQ(Kiln({"image", "import", rootfs, "nodebox:1"}).code, 0);
  }
};

TEST_F(ActionE2E, JavaScriptActionRunsPreMainAndPostWithTheImagesNode) {
  ImportNode();
  ImportBusybox();
  Write(ws_ + "/js/action.yml",
        "inputs: {who: {default: nobody}}\noutputs: {greeting: {}}\nruns:\n  using: node20\n"
        "  main: main.js\n  pre: pre.js\n  post: post.js\n");
  Write(ws_ + "/js/pre.js", "console.log('pre ran')\n");
  Write(ws_ + "/js/main.js",
        "require('fs').appendFileSync(process.env.GITHUB_OUTPUT, "
        "'greeting=hello ' + process.env.INPUT_WHO + '\\n');\n"
        "console.log('main ran in ' + process.cwd());\n");
  Write(ws_ + "/js/post.js", "console.log('post ran')\n");
  Workflow("js.yml", R"YML(on: push
jobs:
  a:
    runs-on: nodebox
    steps:
      - id: g
        uses: ./js
        with: {who: crun}
      - run: test "${{ steps.g.outputs.greeting }}" = "hello crun" && echo checked
  nonode:
    runs-on: bb
    steps:
      - uses: ./js
)YML");
  auto r = Kiln({"run", "-P", "nodebox=nodebox:1", "-P", "bb=busybox:1"});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  size_t pre = r.out.find("| pre ran"), main = r.out.find("| main ran in /github/workspace"),
         checked = r.out.find("| checked"), post = r.out.find("| post ran");
  ASSERT_NE(pre, std::string::npos) << r.out;
  ASSERT_NE(main, std::string::npos) << r.out;
  ASSERT_NE(checked, std::string::npos) << r.out;
  ASSERT_NE(post, std::string::npos) << r.out;
  EXPECT_LT(pre, main);
  EXPECT_LT(checked, post);
  EXPECT_NE(r.out.find("has no node on its PATH; JavaScript actions need it"), std::string::npos)
      << r.out;
}

TEST_F(ActionE2E, DockerActionIsBuiltFromItsDockerfileAndRunsInItsOwnSandbox) {
  ImportBusybox();
  Write(ws_ + "/dock/action.yml",
        "inputs: {who: {required: true}}\noutputs: {o: {}}\nruns:\n  using: docker\n"
        "  image: Dockerfile\n  args: ['${{ inputs.who }}']\n");
  Write(ws_ + "/dock/Dockerfile",
        "FROM busybox:1\nCOPY entry.sh /entry.sh\nENTRYPOINT [\"/bin/sh\", \"/entry.sh\"]\n");
  Write(ws_ + "/dock/entry.sh",
        "echo \"hello $1 in $PWD, INPUT_WHO=$INPUT_WHO\"\ntest -f /entry.sh\n"
        "echo \"o=$1\" >> \"$GITHUB_OUTPUT\"\necho made > \"$GITHUB_WORKSPACE/by-docker\"\n");
  Workflow("d.yml", R"YML(on: push
jobs:
  a:
    runs-on: bb
    steps:
      - id: d
        uses: ./dock
        with: {who: kiln}
      - run: test ! -f /entry.sh && test "${{ steps.d.outputs.o }}" = kiln && cat by-docker
)YML");
  auto r = Kiln({"run", "-P", "bb=busybox:1"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| hello kiln in /github/workspace, INPUT_WHO=kiln"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| made"), std::string::npos) << r.out;
  auto left = ListDir(state_ + "/sandboxes");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

// --action-cache DIR (relative to the current directory): OWNER/REPO/PATH@REF is read from
// DIR/OWNER/REPO@REF/PATH; without the flag the step fails saying where to put it.
TEST_F(ActionE2E, ActionCacheFlagFindsOwnerRepoAtRef) {
  ImportBusybox();
  Write(ws_ + "/vendor/acme/tools@v1/hi/action.yml",
        "outputs: {o: {value: '${{ steps.s.outputs.o }}'}}\nruns:\n  using: composite\n"
        "  steps:\n    - {id: s, shell: sh, run: 'echo o=cached >> \"$GITHUB_OUTPUT\"'}\n");
  Workflow("c.yml",
           "on: push\njobs:\n  a:\n    runs-on: bb\n    steps:\n      - id: h\n"
           "        uses: acme/tools/hi@v1\n      - run: echo \"got ${{ steps.h.outputs.o }}\"\n");
  auto r = Kiln({"run", "-P", "bb=busybox:1", "--action-cache", "vendor"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| got cached"), std::string::npos) << r.out;
  auto missing = Kiln({"run", "-P", "bb=busybox:1"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.out.find("c.yml:7:15: action acme/tools/hi@v1 is not built into kiln and no "
                             "--action-cache was given"),
            std::string::npos)
      << missing.out;
}

}  // namespace
}  // namespace kiln::cli
