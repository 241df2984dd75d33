// Attacks on secrets: a secret in a step's name (or the default "Run <script>" name), a
// multi-line secret, --json, persist-env carrying a secret's value into an image, and secrets
// in kiln's argv. No output, report, image or process list may hold a secret's value.
#include <dirent.h>

#include <csignal>
#include <thread>

#include "cli/e2e_util.h"

namespace kiln::cli {
namespace {

constexpr const char kToken[] = "tok-5up3r-s3cr3t-9981";
constexpr const char kLine1[] = "mlfirst-ab12cd";
constexpr const char kLine2[] = "mlsecond-ef34gh";

class SecuritySecrets : public KilnE2E {
 protected:
  void SetUp() override {
    KilnE2E::SetUp();
    if (IsSkipped()) return;
    ImportDebian({"debian:bookworm"});
    secrets_file_ = dir_.Sub("secrets");
    ASSERT_TRUE(WriteFileAtomic(secrets_file_, std::string("# test secrets\n\nML=\"") + kLine1 +
                                                   "\\n" + kLine2 + "\"\nDB_PASS=pw-77zq1\n")
                    .ok());
  }
  // kiln with $API_TOKEN set in its environment only.
  KilnResult KilnWithToken(std::vector<std::string> args) {
    std::vector<std::string> argv = {testing::KilnBinary(), "--state-dir", state_};
    argv.insert(argv.end(), args.begin(), args.end());
    SubprocessOptions o;
    o.cwd = ws_;
    o.env = std::vector<std::string>{"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                                     std::string("API_TOKEN=") + kToken};
    auto r = RunProcess(argv, o);
    EXPECT_TRUE(r.ok());
    return r.ok() ? KilnResult{r->exit_code, r->out, r->err} : KilnResult{};
  }
  static void ExpectNoSecret(const std::string& text) {
    for (const char* s : {kToken, kLine1, kLine2, "pw-77zq1"})
      EXPECT_EQ(text.find(s), std::string::npos) << s << " in:\n" << text;
  }
  std::string secrets_file_;
};

TEST_F(SecuritySecrets, NamesPrefixesResultsSummaryAndJsonAreMasked) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - name: deploy with ${{ secrets.API_TOKEN }}\n        run: echo named\n"
           "      - run: echo ${{ secrets.API_TOKEN }} default-name\n"
           "      - run: printf '%s\\n' \"$ML\"\n        env:\n          ML: ${{ secrets.ML }}\n"
           "      - run: echo ::add-mask::added-m4sk; echo added-m4sk; exit 3\n"
           "        name: fails ${{ secrets.API_TOKEN }}\n"
           "        continue-on-error: true\n");
  for (bool json : {false, true}) {
    std::vector<std::string> args = {"run", "-s", "API_TOKEN", "--secret-file", secrets_file_};
    if (json) args.push_back("--json");
    auto r = KilnWithToken(args);
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    ExpectNoSecret(r.out);
    ExpectNoSecret(r.err);
    EXPECT_EQ((r.out + r.err).find("added-m4sk"), std::string::npos) << r.out << r.err;
    const std::string& log = json ? r.err : r.out;
    // An implicit name is the script's first line as written (GitHub shows it so): the
    // expression, never its value.
    EXPECT_NE(log.find("Run echo ${{ secrets.API_TOKEN }} default-name"), std::string::npos) << log;
    EXPECT_NE(log.find("| ***\n"), std::string::npos) << log;  // each line of the multi-line one
    if (json) {
      EXPECT_NE(r.out.find("\"name\": \"deploy with ***\""), std::string::npos) << r.out;
    }
  }
}

TEST_F(SecuritySecrets, PersistEnvKeepsSecretValuesOutOfTheImage) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n"
           "    snapshot: {image-name: app, persist-env: true}\n"
           "    env:\n      DEPLOY_CREDS: ${{ secrets.API_TOKEN }}\n    steps:\n"
           "      - run: |\n          echo \"DB_URL=postgres://app:${{ secrets.DB_PASS }}@db\" >> "
           "\"$GITHUB_ENV\"\n"
           "          echo \"SAFE_SETTING=kept\" >> \"$GITHUB_ENV\"\n");
  auto r = KilnWithToken({"run", "-s", "API_TOKEN", "--secret-file", secrets_file_});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("persist-env left out DEPLOY_CREDS, DB_URL"), std::string::npos) << r.out;
  auto inspect = Kiln({"image", "inspect", "app"});
  ASSERT_EQ(inspect.code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("SAFE_SETTING=kept"), std::string::npos) << inspect.out;
  ExpectNoSecret(inspect.out);
  EXPECT_EQ(inspect.out.find("DB_URL"), std::string::npos) << inspect.out;
  // And nowhere in the store: no blob, catalog row or config holds the value.
  std::string pattern = dir_.Sub("pattern");  // not in grep's argv: another test scans argv
  ASSERT_TRUE(WriteFileAtomic(pattern, std::string(kToken) + "\n").ok());
  auto grep = RunProcess({"grep", "-rlaF", "-f", pattern, state_}, {});
  ASSERT_TRUE(grep.ok());
  EXPECT_EQ(grep->out, "");
}

TEST_F(SecuritySecrets, SecretFlagReadsTheEnvironmentNotArgv) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: echo \"len=${#T}\"; sleep 3\n        env:\n          T: ${{ "
           "secrets.API_TOKEN }}\n");
  auto unset = Kiln({"run", "-s", "NOT_SET_ANYWHERE"});
  EXPECT_EQ(unset.code, 2);
  EXPECT_NE(unset.err.find("$NOT_SET_ANYWHERE is not set"), std::string::npos) << unset.err;
  // While the step sleeps, no process's command line holds the value (kiln, crun, the step).
  std::string seen;
  std::atomic<bool> done{false}, saw_kiln{false};
  std::thread scan([&] {
    while (!done) {
      DIR* d = ::opendir("/proc");
      while (struct dirent* e = d ? ::readdir(d) : nullptr) {
        auto cmd = ReadFile(std::string("/proc/") + e->d_name + "/cmdline");
        if (cmd.ok() && cmd->find(kToken) != std::string::npos) seen += *cmd + "\n";
        if (cmd.ok() && cmd->find(std::string("-s") + '\0' + "API_TOKEN") != std::string::npos)
          saw_kiln = true;
      }
      if (d) ::closedir(d);
      ::usleep(100000);
    }
  });
  auto r = KilnWithToken({"run", "-s", "API_TOKEN"});
  done = true;
  scan.join();
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| len=21"), std::string::npos) << r.out;
  EXPECT_TRUE(saw_kiln);  // the scan did see kiln running
  EXPECT_EQ(seen, "");
  EXPECT_EQ(r.err.find("process list"), std::string::npos) << r.err;
  // NAME=VALUE still works, with a warning.
  auto inline_value = Kiln({"run", "-s", "API_TOKEN=abc"});
  EXPECT_EQ(inline_value.code, 0) << inline_value.err;
  EXPECT_NE(inline_value.err.find("every local user can read in the process list"),
            std::string::npos)
      << inline_value.err;
}

// A step's script (secrets interpolated) is gone once the step ends.
TEST_F(SecuritySecrets, StepScriptsDoNotOutliveTheirStep) {
  Workflow("w.yml",
           "on: push\njobs:\n  a:\n    runs-on: {image: debian:bookworm}\n    steps:\n"
           "      - run: echo ${{ secrets.API_TOKEN }} > /dev/null\n"
           "      - run: echo scripts=$(ls \"$RUNNER_TEMP\" | grep -c '^script-'); p=tok-5u; grep "
           "-rlF -e \"${p}p3r\" \"$RUNNER_TEMP\" || echo none-hold-it\n");
  auto r = KilnWithToken({"run", "-s", "API_TOKEN"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("| scripts=1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| none-hold-it"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kiln::cli
