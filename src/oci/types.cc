#include "oci/types.h"

#include "oci/types_json.h"

namespace kiln::oci {
namespace {

// Whether "schemaVersion" is the integer 2 (a float such as 3e25 is not read as an int: that
// conversion is undefined; found by fuzz/oci_manifest_fuzz.cc).
bool SchemaVersion2(const Json& j) {
  auto it = j.find("schemaVersion");
  return it != j.end() && it->is_number_integer() && it->get<int64_t>() == 2;
}

std::map<std::string, std::string> StringMap(const Json& j) {
  std::map<std::string, std::string> out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::vector<std::string> StringList(const Json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<Json> ParseObject(std::string_view text, const char* what) {
  ASSIGN_OR_RETURN(Json j, ParseJson(text, what));
  if (!j.is_object()) return InvalidArgument(std::string(what) + ": not a JSON object");
  return j;
}

}  // namespace

Result<Descriptor> ParseDescriptor(const Json& j) {
  if (!j.is_object()) return InvalidArgument("descriptor: not an object");
  Descriptor d;
  d.media_type = Str(j, "mediaType");
  auto digest = Digest::Parse(Str(j, "digest"));
  if (!digest.ok()) return digest.status().WithContext("descriptor");
  d.digest = *digest;
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0) {
    return InvalidArgument("descriptor " + d.digest.str() + ": missing or negative size");
  }
  d.size = size->get<int64_t>();
  if (j.contains("annotations")) d.annotations = StringMap(j["annotations"]);
  if (j.contains("platform") && j["platform"].is_object()) {
    const Json& p = j["platform"];
    d.platform = Platform{Str(p, "architecture"), Str(p, "os"), Str(p, "variant")};
  }
  return d;
}

std::string SerializeDescriptor(const Descriptor& d) { return DumpJson(ToJson(d)); }

OrderedJson ToJson(const Descriptor& d) {
  OrderedJson j;
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.platform) {
    j["platform"]["architecture"] = d.platform->architecture;
    j["platform"]["os"] = d.platform->os;
    if (!d.platform->variant.empty()) j["platform"]["variant"] = d.platform->variant;
  }
  return j;
}

Result<Manifest> ParseManifest(std::string_view text) {
  ASSIGN_OR_RETURN(Json j, ParseObject(text, "manifest"));
  Manifest m;
  m.media_type = Str(j, "mediaType");
  if (!SchemaVersion2(j)) return InvalidArgument("manifest: schemaVersion is not 2");
  if (!j.contains("config")) return InvalidArgument("manifest: no config");
  ASSIGN_OR_RETURN(m.config, ParseDescriptor(j["config"]));
  if (!j.contains("layers") || !j["layers"].is_array()) {
    return InvalidArgument("manifest: no layers array");
  }
  for (const auto& l : j["layers"]) {
    auto d = ParseDescriptor(l);
    if (!d.ok()) return d.status().WithContext("manifest layer");
    m.layers.push_back(*d);
  }
  if (j.contains("annotations")) m.annotations = StringMap(j["annotations"]);
  return m;
}

std::string SerializeManifest(const Manifest& m) {
  OrderedJson j;
  j["schemaVersion"] = 2;
  j["mediaType"] = m.media_type.empty() ? std::string(kMediaTypeManifest) : m.media_type;
  j["config"] = ToJson(m.config);
  j["layers"] = OrderedJson::array();
  for (const auto& l : m.layers) j["layers"].push_back(ToJson(l));
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return DumpJson(j);
}

Result<Index> ParseIndex(std::string_view text) {
  ASSIGN_OR_RETURN(Json j, ParseObject(text, "index"));
  Index i;
  if (!SchemaVersion2(j)) return InvalidArgument("index: schemaVersion is not 2");
  if (j.contains("manifests")) {
    if (!j["manifests"].is_array()) return InvalidArgument("index: manifests is not an array");
    for (const auto& m : j["manifests"]) {
      auto d = ParseDescriptor(m);
      if (!d.ok()) return d.status().WithContext("index");
      i.manifests.push_back(*d);
    }
  }
  if (j.contains("annotations")) i.annotations = StringMap(j["annotations"]);
  return i;
}

std::string SerializeIndex(const Index& i) {
  OrderedJson j;
  j["schemaVersion"] = 2;
  j["mediaType"] = "application/vnd.oci.image.index.v1+json";
  j["manifests"] = OrderedJson::array();
  for (const auto& m : i.manifests) j["manifests"].push_back(ToJson(m));
  if (!i.annotations.empty()) j["annotations"] = i.annotations;
  return DumpJson(j);
}

Result<ImageConfig> ParseImageConfig(std::string_view text) {
  ASSIGN_OR_RETURN(Json j, ParseObject(text, "image config"));
  ImageConfig c;
  c.raw = std::string(text);
  c.architecture = Str(j, "architecture");
  c.variant = Str(j, "variant");
  c.os = Str(j, "os");
  c.created = Str(j, "created");
  if (j.contains("config") && j["config"].is_object()) {
    const Json& cc = j["config"];
    c.env = StringList(cc.value("Env", Json()));
    c.cmd = StringList(cc.value("Cmd", Json()));
    c.entrypoint = StringList(cc.value("Entrypoint", Json()));
    c.working_dir = Str(cc, "WorkingDir");
    c.user = Str(cc, "User");
    c.labels = StringMap(cc.value("Labels", Json()));
    if (cc.contains("Healthcheck") && cc["Healthcheck"].is_object()) {
      const Json& h = cc["Healthcheck"];
      auto num = [&](const char* k) {
        return h.contains(k) && h[k].is_number_integer() ? h[k].get<int64_t>() : int64_t{0};
      };
      c.healthcheck =
          HealthConfig{StringList(h.value("Test", Json())), num("Interval"), num("Timeout"),
                       num("StartPeriod"), static_cast<int>(num("Retries"))};
    }
  }
  if (!j.contains("rootfs") || !j["rootfs"].is_object() || Str(j["rootfs"], "type") != "layers") {
    return InvalidArgument("image config: rootfs.type is not \"layers\"");
  }
  for (const auto& id : StringList(j["rootfs"].value("diff_ids", Json()))) {
    auto d = Digest::Parse(id);
    if (!d.ok()) return d.status().WithContext("image config diff_ids");
    c.diff_ids.push_back(*d);
  }
  if (j.contains("history") && j["history"].is_array()) {
    for (const auto& h : j["history"]) {
      if (!h.is_object()) continue;
      c.history.push_back({Str(h, "created"), Str(h, "created_by"), Str(h, "comment"),
                           h.value("empty_layer", false)});
    }
  }
  return c;
}

std::string SerializeImageConfig(const ImageConfig& c) {
  Json j = Json::object();
  if (!c.raw.empty()) {
    auto parsed = ParseJson(c.raw, "image config");
    if (parsed.ok() && parsed->is_object()) j = std::move(*parsed);
  }
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  if (c.variant.empty())
    j.erase("variant");
  else
    j["variant"] = c.variant;
  if (!c.created.empty()) j["created"] = c.created;
  Json& cc = j["config"];
  if (!cc.is_object()) cc = Json::object();
  auto set_list = [&](const char* key, const std::vector<std::string>& v) {
    if (v.empty())
      cc.erase(key);
    else
      cc[key] = v;
  };
  set_list("Env", c.env);
  set_list("Cmd", c.cmd);
  set_list("Entrypoint", c.entrypoint);
  if (c.working_dir.empty())
    cc.erase("WorkingDir");
  else
    cc["WorkingDir"] = c.working_dir;
  if (c.user.empty())
    cc.erase("User");
  else
    cc["User"] = c.user;
  if (c.healthcheck) {
    const HealthConfig& h = *c.healthcheck;
    cc["Healthcheck"] = {{"Test", h.test},
                         {"Interval", h.interval_ns},
                         {"Timeout", h.timeout_ns},
                         {"StartPeriod", h.start_period_ns},
                         {"Retries", h.retries}};
  } else {
    cc.erase("Healthcheck");
  }
  if (c.labels.empty())
    cc.erase("Labels");
  else
    cc["Labels"] = c.labels;
  j["rootfs"] = {{"type", "layers"}, {"diff_ids", Json::array()}};
  for (const auto& d : c.diff_ids) j["rootfs"]["diff_ids"].push_back(d.str());
  if (c.history.empty()) {
    j.erase("history");
  } else {
    j["history"] = Json::array();
    for (const auto& h : c.history) {
      Json e = Json::object();
      if (!h.created.empty()) e["created"] = h.created;
      if (!h.created_by.empty()) e["created_by"] = h.created_by;
      if (!h.comment.empty()) e["comment"] = h.comment;
      if (h.empty_layer) e["empty_layer"] = true;
      j["history"].push_back(e);
    }
  }
  return DumpJson(j);
}

Platform HostPlatform() {
#if defined(__x86_64__)
  return {"amd64", "linux", ""};
#elif defined(__aarch64__)
  return {"arm64", "linux", "v8"};
#elif defined(__arm__) && defined(__ARM_ARCH)
  return {"arm", "linux", "v" + std::to_string(__ARM_ARCH)};
#else
  return {"unknown", "linux", ""};
#endif
}

}  // namespace kiln::oci
