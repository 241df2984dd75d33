// Attacks through the 64 KiB line split (issue 7): kiln cuts a longer output line into pieces,
// and each piece used to be taken for a line of its own, so a workflow command hidden after
// 64 KiB on one line ran, and a secret cut in two by the split was printed unmasked.
#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

constexpr const char kSecret[] = "tok-5up3r-s3cr3t-9981";

class SecurityLines : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    ImportDebian({"debian:bookworm"});
  }
};

TEST_F(SecurityLines, CommandAfter64KiBOnTheSameLineIsNotRun) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - id: one\n"
           "        run: printf '%65536s' '' | tr ' ' a; echo '::set-output name=x::injected'\n"
           "      - run: echo \"got=[${{ steps.one.outputs.x }}]\"\n");
  auto r = Kiln({"run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("got=[]"), std::string::npos)
      << r.out.substr(r.out.size() > 2000 ? r.out.size() - 2000 : 0);
  EXPECT_EQ(r.out.find("got=[injected]"), std::string::npos);
}

TEST_F(SecurityLines, SecretCutByTheSplitIsMasked) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: printf '%65530s' '' | tr ' ' b; echo \"$T\"\n"
           "        env:\n          T: ${{ secrets.TOK }}\n");
  auto r = Kiln({"run", "-s", std::string("TOK=") + kSecret});
  EXPECT_EQ(r.code, 0) << r.err;
  std::string secret = kSecret;
  // The split falls 6 bytes into the secret: neither part may show.
  for (const std::string& part : {secret, secret.substr(0, 6), secret.substr(6)}) {
    EXPECT_EQ(r.out.find(part), std::string::npos) << part;
  }
  EXPECT_NE(r.out.find("bbb***"), std::string::npos);
}

}  // namespace
}  // namespace kiln::cli
