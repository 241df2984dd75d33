// The config file's parser: each key has a reader that checks its type and range; a key with
// no reader is an error listing the keys there are.
#include "workflow/config_file.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "base/fs.h"
#include "runtime/sandbox.h"

namespace kiln::workflow {
namespace {

std::string TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date or time";
  }
}

// Where a node is, for messages: "config.toml:3".
std::string At(const std::string& path, const toml::source_region& where) {
  return path + ":" + std::to_string(where.begin.line);
}

Status WrongType(const std::string& path, const std::string& key, const toml::node& n,
                 const std::string& want) {
  return InvalidArgument(At(path, n.source()) + ": " + key + " must be " + want + ", not " +
                         TypeName(n));
}

// Each reader checks one top-level key's value and stores it.
using Reader = std::function<Status(const std::string& path, const toml::node& n, Config& c)>;

Status ReadString(const std::string& path, const char* key, const toml::node& n, std::string& out,
                  const char* example) {
  auto s = n.value<std::string>();
  if (!n.is_string() || !s)
    return WrongType(path, key, n, std::string("a string, e.g. ") + example);
  out = *s;
  return Status::Ok();
}

Status ReadInt(const std::string& path, const char* key, const toml::node& n, int64_t lo,
               int64_t hi, int& out) {
  std::string want = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!n.is_integer()) return WrongType(path, key, n, want);
  int64_t v = *n.value<int64_t>();
  if (v < lo || v > hi)
    return InvalidArgument(At(path, n.source()) + ": " + key + " must be " + want + ", not " +
                           std::to_string(v));
  out = static_cast<int>(v);
  return Status::Ok();
}

Status ReadLabels(const std::string& path, const toml::node& n, Config& c) {
  const toml::table* t = n.as_table();
  if (t == nullptr) return WrongType(path, "labels", n, "a table of LABEL = \"IMAGE\"");
  for (const auto& [k, v] : *t) {
    std::string key = "labels." + std::string(k.str());
    RETURN_IF_ERROR(
        ReadString(path, key.c_str(), v, c.labels[std::string(k.str())], "\"debian:bookworm\""));
  }
  return Status::Ok();
}

// [sizes."2x8"] disk = "50G"
Status ReadSizes(const std::string& path, const toml::node& n, Config& c) {
  const toml::table* sizes = n.as_table();
  if (sizes == nullptr) return WrongType(path, "sizes", n, "a table of [sizes.\"2x8\"] tables");
  for (const auto& [name, v] : *sizes) {
    std::string where = At(path, name.source()) + ": sizes." + std::string(name.str());
    RETURN_IF_ERROR(runtime::ParseSize(name.str()).status().WithContext(where));
    const toml::table* row = v.as_table();
    if (row == nullptr)
      return WrongType(path, "sizes." + std::string(name.str()), v, "a table, e.g. disk = \"50G\"");
    std::string dotted = "sizes." + std::string(name.str());
    for (const auto& [key, value] : *row) {
      if (key.str() != "disk") {
        return InvalidArgument(At(path, key.source()) + ": " + dotted + ": unknown key " +
                               std::string(key.str()) + " (keys: disk)");
      }
      auto text = value.value<std::string>();
      if (!value.is_string() || !text)
        return WrongType(path, dotted + ".disk", value, "a string, e.g. \"50G\"");
      auto bytes = runtime::ParseBytes(*text);
      if (!bytes.ok())
        return bytes.status().WithContext(At(path, value.source()) + ": " + dotted + ".disk");
      c.disk[std::string(name.str())] = *bytes;
    }
  }
  return Status::Ok();
}

Status ReadMaxLayerUnpacked(const std::string& path, const toml::node& n, Config& c) {
  const char* want = "a size such as \"64G\" or a number of bytes";
  if (n.is_integer()) {
    int64_t v = *n.value<int64_t>();
    if (v <= 0)
      return InvalidArgument(At(path, n.source()) + ": max_layer_unpacked must be positive");
    c.max_layer_unpacked = v;
    return Status::Ok();
  }
  if (!n.is_string()) return WrongType(path, "max_layer_unpacked", n, want);
  auto bytes = ParseByteSize(*n.value<std::string>());
  if (!bytes.ok()) return bytes.status().WithContext(At(path, n.source()) + ": max_layer_unpacked");
  c.max_layer_unpacked = *bytes;
  return Status::Ok();
}

// insecure_registries = ["10.0.0.5:5000", "registry.lan"]
Status ReadInsecureRegistries(const std::string& path, const toml::node& n, Config& c) {
  const char* want = "an array of hosts, e.g. [\"10.0.0.5:5000\"]";
  const toml::array* hosts = n.as_array();
  if (hosts == nullptr) return WrongType(path, "insecure_registries", n, want);
  for (const auto& host : *hosts) {
    auto text = host.value<std::string>();
    if (!host.is_string() || !text || text->empty() ||
        text->find_first_of("/ \t") != std::string::npos) {
      return InvalidArgument(At(path, host.source()) + ": insecure_registries must be " + want +
                             " (a host and optional port, no scheme or path)");
    }
    c.insecure_registries.push_back(*text);
  }
  return Status::Ok();
}

Status ReadLayerCompression(const std::string& path, const toml::node& n, Config& c) {
  const char* want = "\"gzip\" or \"zstd\"";
  if (!n.is_string()) return WrongType(path, "layer_compression", n, want);
  std::string v = *n.value<std::string>();
  if (v == "gzip") {
    c.layer_compression = oci::Compression::kGzip;
  } else if (v == "zstd") {
    c.layer_compression = oci::Compression::kZstd;
  } else {
    return InvalidArgument(At(path, n.source()) + ": layer_compression must be " + want +
                           ", not \"" + v + "\"");
  }
  return Status::Ok();
}

const std::map<std::string, Reader>& Readers() {
  static const std::map<std::string, Reader> readers = {
      {"default_image",
       [](const std::string& p, const toml::node& n, Config& c) {
         return ReadString(p, "default_image", n, c.default_image, "\"debian:bookworm\"");
       }},
      {"default_size",
       [](const std::string& p, const toml::node& n, Config& c) {
         RETURN_IF_ERROR(ReadString(p, "default_size", n, c.default_size, "\"2x8\""));
         return runtime::ParseSize(c.default_size)
             .status()
             .WithContext(At(p, n.source()) + ": default_size");
       }},
      {"warm_pool", [](const std::string& p, const toml::node& n,
                       Config& c) { return ReadInt(p, "warm_pool", n, 0, 64, c.warm_pool); }},
      {"labels", ReadLabels},
      {"sizes", ReadSizes},
      {"max_layer_unpacked", ReadMaxLayerUnpacked},
      {"insecure_registries", ReadInsecureRegistries},
      {"layer_compression", ReadLayerCompression},
      {"job_network",
       [](const std::string& p, const toml::node& n, Config& c) {
         RETURN_IF_ERROR(ReadString(p, "job_network", n, c.job_network, "\"kiln\" or \"none\""));
         if (c.job_network == "none") return Status::Ok();
         return runtime::ValidateNetworkName(c.job_network)
             .WithContext(At(p, n.source()) + ": job_network");
       }},
      {"init_path",
       [](const std::string& p, const toml::node& n, Config& c) {
         return ReadString(p, "init_path", n, c.init_path, "\"/usr/libexec/kiln/kiln-init\"");
       }},
      {"max_layers",
       [](const std::string& p, const toml::node& n, Config& c) {
         return ReadInt(p, "max_layers", n, 1, kMaxMaxLayers, c.max_layers);
       }},
  };
  return readers;
}

}  // namespace

Result<Config> LoadConfigFile(const std::string& path) {
  Config c;
  c.path = path;
  if (path.empty()) return c;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return InvalidArgument("config file " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return InvalidArgument("config file " + path + ": Is a directory");
  auto text = ReadFile(path);
  if (!text.ok()) return InvalidArgument("config file " + text.status().message());
  toml::table t;
  try {
    t = toml::parse(*text, path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return InvalidArgument(path + ":" + std::to_string(where.line) + ":" +
                           std::to_string(where.column) + ": " + std::string(e.description()));
  }
  const auto& readers = Readers();
  for (const auto& [key, node] : t) {
    auto it = readers.find(std::string(key.str()));
    if (it == readers.end()) {
      std::string keys;
      for (const auto& [k, r] : readers) keys += (keys.empty() ? "" : ", ") + k;
      return InvalidArgument(At(path, key.source()) + ": unknown key " + std::string(key.str()) +
                             " (keys: " + keys + ")");
    }
    RETURN_IF_ERROR(it->second(path, node, c));
  }
  return c;
}

std::string ConfigPath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("KILN_CONFIG"); env != nullptr && *env != '\0') return env;
  return PathExists("/etc/kiln/config.toml") ? "/etc/kiln/config.toml" : "";
}

Result<int64_t> ParseByteSize(const std::string& text) {
  size_t i = 0;
  int64_t n = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (n > (int64_t{1} << 50)) return InvalidArgument("size \"" + text + "\" is too large");
    n = n * 10 + (text[i] - '0');
  }
  std::string unit = text.substr(i);
  int shift = -1;
  for (auto [names, s] :
       {std::pair<const char*, int>{"", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}}) {
    std::string u = names;
    if (unit == u || (!u.empty() && (unit == u + "B" || unit == u + "iB"))) shift = s;
  }
  if (i == 0 || n <= 0 || shift < 0) {
    return InvalidArgument("size \"" + text +
                           "\" is not a positive number of bytes (e.g. 64G, 500M)");
  }
  if (n > (int64_t{1} << (62 - shift)))
    return InvalidArgument("size \"" + text + "\" is too large");
  return n << shift;
}

}  // namespace kiln::workflow
