// The config file: every key read with its type checked; unknown keys, wrong types and a
// missing file are errors naming FILE:LINE (or the file) and what is allowed.
#include "workflow/config_file.h"

#include <gtest/gtest.h>

#include "base/fs.h"
#include "testing/test_env.h"

namespace kiln::workflow {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  Result<Config> Load(const std::string& toml) {
    EXPECT_TRUE(WriteScratchFile(path_, toml).ok());
    return LoadConfigFile(path_);
  }
  std::string Error(const std::string& toml) {
    auto c = Load(toml);
    EXPECT_FALSE(c.ok()) << toml;
    if (c.ok()) return "";
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument) << toml;
    std::string m = c.status().message();
    return m.rfind(path_, 0) == 0 ? "FILE" + m.substr(path_.size()) : m;
  }
  testing::ScratchDir dir_;
  std::string path_ = dir_.Sub("config.toml");
};

TEST_F(ConfigFileTest, EveryKey) {
  auto c = Load(R"(default_image = "debian:bookworm"
default_size = "4x16"
warm_pool = 2
max_layer_unpacked = "2G"
init_path = "/usr/libexec/kiln/kiln-init"
max_layers = 40
insecure_registries = ["10.0.0.5:5000", "registry.lan"]
layer_compression = "zstd"
job_network = "ci-net"
[labels]
ubuntu-latest = "debian:bookworm"
[sizes."2x8"]
disk = "10G"
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->path, path_);
  EXPECT_EQ(c->default_image, "debian:bookworm");
  EXPECT_EQ(c->default_size, "4x16");
  EXPECT_EQ(c->warm_pool, 2);
  EXPECT_EQ(c->max_layer_unpacked, int64_t{2} << 30);
  EXPECT_EQ(c->init_path, "/usr/libexec/kiln/kiln-init");
  EXPECT_EQ(c->max_layers, 40);
  EXPECT_EQ(c->insecure_registries, (std::vector<std::string>{"10.0.0.5:5000", "registry.lan"}));
  EXPECT_EQ(c->layer_compression, oci::Compression::kZstd);
  EXPECT_EQ(c->job_network, "ci-net");
  EXPECT_EQ(Load("job_network = \"none\"\n")->job_network, "none");
  EXPECT_FALSE(Load("job_network = \"host\"\n").ok());  // a job never shares the host's
  EXPECT_EQ(c->labels.at("ubuntu-latest"), "debian:bookworm");
  EXPECT_EQ(c->disk.at("2x8"), int64_t{10} << 30);
}

TEST_F(ConfigFileTest, Defaults) {
  auto none = LoadConfigFile("");
  ASSERT_TRUE(none.ok());
  auto empty = Load("");
  ASSERT_TRUE(empty.ok());
  for (const Config& c : {*none, *empty}) {
    EXPECT_EQ(c.default_image, "");
    EXPECT_EQ(c.default_size, "2x8");
    EXPECT_EQ(c.warm_pool, 0);
    EXPECT_EQ(c.max_layer_unpacked, snapshot::kDefaultMaxLayerUnpacked);
    EXPECT_EQ(c.init_path, "");
    EXPECT_EQ(c.max_layers, 32);
    EXPECT_EQ(c.layer_compression, oci::Compression::kGzip);
    EXPECT_EQ(c.job_network, "kiln");
    EXPECT_TRUE(c.labels.empty());
    EXPECT_TRUE(c.disk.empty());
    EXPECT_TRUE(c.insecure_registries.empty());
  }
}

// Before: all of these were read as if the line were not there.
TEST_F(ConfigFileTest, UnknownKeysNameTheLineAndTheKeysThereAre) {
  const std::string keys =
      "(keys: default_image, default_size, init_path, insecure_registries, job_network, labels, "
      "layer_compression, max_layer_unpacked, max_layers, sizes, warm_pool)";
  EXPECT_EQ(Error("warm_pool = 1\n\ndefault_imag = \"debian\"\n"),
            "FILE:3: unknown key default_imag " + keys);
  EXPECT_EQ(Error("default_image = \"debian\"\n[lables]\nx = \"y\"\n"),
            "FILE:2: unknown key lables " + keys);
  EXPECT_EQ(Error("[sizes.\"2x8\"]\ncpus = 4\n"),
            "FILE:2: sizes.2x8: unknown key cpus (keys: disk)");
}

TEST_F(ConfigFileTest, WrongTypesNameTheLineAndTheType) {
  EXPECT_EQ(Error("default_image = 5\n"),
            "FILE:1: default_image must be a string, e.g. \"debian:bookworm\", not an integer");
  EXPECT_EQ(
      Error("\ninit_path = true\n"),
      "FILE:2: init_path must be a string, e.g. \"/usr/libexec/kiln/kiln-init\", not a boolean");
  EXPECT_EQ(Error("max_layers = \"32\"\n"),
            "FILE:1: max_layers must be an integer from 1 to 500, not a string");
  EXPECT_EQ(Error("max_layers = 0\n"),
            "FILE:1: max_layers must be an integer from 1 to 500, not 0");
  EXPECT_EQ(Error("insecure_registries = \"x:5000\"\n"),
            "FILE:1: insecure_registries must be an array of hosts, e.g. [\"10.0.0.5:5000\"], "
            "not a string");
  EXPECT_EQ(Error("insecure_registries = [\"https://x:5000\"]\n"),
            "FILE:1: insecure_registries must be an array of hosts, e.g. [\"10.0.0.5:5000\"] "
            "(a host and optional port, no scheme or path)");
  EXPECT_EQ(Error("layer_compression = \"xz\"\n"),
            "FILE:1: layer_compression must be \"gzip\" or \"zstd\", not \"xz\"");
  EXPECT_EQ(Error("layer_compression = 1\n"),
            "FILE:1: layer_compression must be \"gzip\" or \"zstd\", not an integer");
  EXPECT_EQ(Error("warm_pool = 65\n"), "FILE:1: warm_pool must be an integer from 0 to 64, not 65");
  EXPECT_EQ(Error("warm_pool = 1.5\n"),
            "FILE:1: warm_pool must be an integer from 0 to 64, not a floating-point number");
  EXPECT_EQ(Error("[labels]\nubuntu = 3\n"),
            "FILE:2: labels.ubuntu must be a string, e.g. \"debian:bookworm\", not an integer");
  EXPECT_EQ(Error("labels = \"x\"\n"),
            "FILE:1: labels must be a table of LABEL = \"IMAGE\", not a string");
  EXPECT_EQ(Error("max_layer_unpacked = [1]\n"),
            "FILE:1: max_layer_unpacked must be a size such as \"64G\" or a number of bytes, not "
            "an array");
  EXPECT_NE(Error("max_layer_unpacked = \"lots\"\n").find("FILE:1: max_layer_unpacked: "),
            std::string::npos);
  EXPECT_NE(Error("default_size = \"3x9\"\n").find("FILE:1: default_size"), std::string::npos);
  EXPECT_NE(Error("[sizes.\"2x8\"]\ndisk = \"lots\"\n").find("FILE:2: sizes.2x8.disk"),
            std::string::npos);
  EXPECT_EQ(Error("[sizes.\"2x8\"]\ndisk = 5\n"),
            "FILE:2: sizes.2x8.disk must be a string, e.g. \"50G\", not an integer");
}

// Before: "nope.toml:0:0: File could not be opened".
TEST_F(ConfigFileTest, AMissingFileSaysSo) {
  auto c = LoadConfigFile(dir_.Sub("nope.toml"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(c.status().message(),
            "config file " + dir_.Sub("nope.toml") + ": No such file or directory");
  auto d = LoadConfigFile(dir_.path());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(), "config file " + dir_.path() + ": Is a directory");
}

TEST_F(ConfigFileTest, SyntaxErrorsNameLineAndColumn) {
  EXPECT_EQ(Error("a = \"x\"\nb = = 1\n").substr(0, 9), "FILE:2:5:");
}

TEST(ConfigPathTest, FlagThenEnvironment) {
  EXPECT_EQ(ConfigPath("/x.toml"), "/x.toml");
  ::setenv("KILN_CONFIG", "/from/env.toml", 1);
  EXPECT_EQ(ConfigPath(""), "/from/env.toml");
  EXPECT_EQ(ConfigPath("/x.toml"), "/x.toml");
  ::unsetenv("KILN_CONFIG");
}

TEST(ByteSizeTest, ParsesByteSizes) {
  EXPECT_EQ(ParseByteSize("64G").value(), int64_t{64} << 30);
  EXPECT_EQ(ParseByteSize("500M").value(), int64_t{500} << 20);
  EXPECT_EQ(ParseByteSize("2GiB").value(), int64_t{2} << 30);
  EXPECT_EQ(ParseByteSize("1KB").value(), 1024);
  EXPECT_EQ(ParseByteSize("12345").value(), 12345);
  for (const char* bad : {"", "G", "0", "-1G", "1X", "1.5G", "99999999999999999999T"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace kiln::workflow
