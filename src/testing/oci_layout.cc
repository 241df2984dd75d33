#include "testing/oci_layout.h"

#include <random>

#include "base/fs.h"
#include "base/json.h"
#include "base/sha256.h"
#include "base/subprocess.h"
#include "testing/tar_builder.h"

namespace kiln::testing {
namespace {

constexpr const char* kArch =
#if defined(__aarch64__)
    "arm64";
#else
    "amd64";
#endif

// Stores `data` as a blob of the layout; returns its descriptor.
Result<Json> PutBlob(const std::string& dir, const std::string& media_type,
                     const std::string& data) {
  std::string hex = Sha256::Hex(data);
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/blobs/sha256/" + hex, data));
  return Json{{"mediaType", media_type}, {"digest", "sha256:" + hex}, {"size", data.size()}};
}

}  // namespace

Result<std::string> WriteOciLayout(const std::string& dir, const std::string& ref,
                                   const std::vector<std::string>& layers) {
  RETURN_IF_ERROR(MakeDirs(dir + "/blobs/sha256"));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  Json diff_ids = Json::array(), descriptors = Json::array();
  for (const auto& tar : layers) {
    ASSIGN_OR_RETURN(Json d, PutBlob(dir, "application/vnd.oci.image.layer.v1.tar", tar));
    diff_ids.push_back(d["digest"]);
    descriptors.push_back(d);
  }
  Json config = {{"architecture", kArch},
                 {"os", "linux"},
                 {"config", {{"Env", {"PATH=/bin"}}, {"Cmd", {"/bin/sh"}}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  ASSIGN_OR_RETURN(Json config_d,
                   PutBlob(dir, "application/vnd.oci.image.config.v1+json", DumpJson(config)));
  Json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", config_d},
                   {"layers", descriptors}};
  ASSIGN_OR_RETURN(Json manifest_d,
                   PutBlob(dir, "application/vnd.oci.image.manifest.v1+json", DumpJson(manifest)));
  manifest_d["annotations"] = {{"org.opencontainers.image.ref.name", ref}};
  Json index = {{"schemaVersion", 2}, {"manifests", Json::array()}};
  if (PathExists(dir + "/index.json")) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/index.json"));
    ASSIGN_OR_RETURN(index, ParseJson(text, "index.json"));
  }
  index["manifests"].push_back(manifest_d);
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/index.json", DumpJson(index)));
  return manifest_d["digest"].get<std::string>();
}

std::string BusyboxLayer() {
  auto busybox = ReadFile("/bin/busybox");
  TarBuilder tar;
  for (const char* d :
       {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "proc", "sys", "dev"}) {
    tar.Dir(d);
  }
  tar.Dir("tmp", 01777);
  tar.File("bin/busybox", busybox.ok() ? *busybox : "", 0755);
  auto list = RunProcess({"/bin/busybox", "--list-full"});
  std::string applets = list.ok() ? list->out : "bin/sh\n";
  size_t start = 0;
  while (start < applets.size()) {
    size_t nl = applets.find('\n', start);
    if (nl == std::string::npos) nl = applets.size();
    std::string applet = applets.substr(start, nl - start);
    start = nl + 1;
    if (!applet.empty() && applet != "bin/busybox") tar.Symlink(applet, "/bin/busybox");
  }
  tar.File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  tar.File("etc/group", "root:x:0:\n");
  return tar.Bytes();
}

std::string RandomLayer(const std::string& dir, int files, size_t file_bytes, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TarBuilder tar;
  tar.Dir(dir);
  for (int i = 0; i < files; ++i) {
    std::string data(file_bytes, '\0');
    for (size_t k = 0; k < file_bytes; k += 8) {
      uint64_t v = rng();
      for (size_t b = 0; b < 8 && k + b < file_bytes; ++b)
        data[k + b] = static_cast<char>(v >> (8 * b));
    }
    tar.File(dir + "/f" + std::to_string(i), data);
  }
  return tar.Bytes();
}

}  // namespace kiln::testing
