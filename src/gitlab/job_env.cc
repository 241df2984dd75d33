#include "gitlab/job_env.h"

#include <cstdlib>

#include "base/json.h"
#include "registry/auth_file.h"

extern char** environ;

namespace kiln::gitlab {
namespace {

std::string Get(const Env& env, const std::string& name) {
  auto it = env.find(name);
  return it == env.end() ? "" : it->second;
}

// A key part: what Pod::Open accepts (letters, digits, '-', '_', '.'), else '_'.
std::string KeyPart(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out;
}

Result<std::optional<std::vector<std::string>>> StringsOrNull(const Json& j, const char* field) {
  if (!j.contains(field) || j[field].is_null()) return std::optional<std::vector<std::string>>();
  if (!j[field].is_array()) return InvalidArgument(std::string(field) + " is not a list");
  std::vector<std::string> out;
  for (const auto& s : j[field]) {
    if (!s.is_string()) return InvalidArgument(std::string(field) + " holds a non-string");
    out.push_back(s.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(out);
}

// A service's "variables": {"K":"V",…} or [{"key":"K","value":"V"},…] as "K=V". Errors name the
// key at most, never a value.
Result<std::vector<std::string>> Variables(const Json& item) {
  std::vector<std::string> out;
  if (!item.contains("variables") || item["variables"].is_null()) return out;
  const Json& vars = item["variables"];
  auto add = [&out](const std::string& key, const Json& value) -> Status {
    if (key.empty() || key.find('=') != std::string::npos) {
      return InvalidArgument("variables: bad name '" + key.substr(0, 64) + "'");
    }
    if (!value.is_string()) return InvalidArgument("variables: " + key + " is not a string");
    out.push_back(key + "=" + value.get<std::string>());
    return Status::Ok();
  };
  if (vars.is_object()) {
    for (auto it = vars.begin(); it != vars.end(); ++it) RETURN_IF_ERROR(add(it.key(), *it));
    return out;
  }
  if (!vars.is_array()) return InvalidArgument("variables is not an object or a list");
  for (const auto& v : vars) {
    if (!v.is_object() || !v.contains("key") || !v["key"].is_string()) {
      return InvalidArgument("variables: an entry has no \"key\"");
    }
    RETURN_IF_ERROR(add(v["key"].get<std::string>(), v.contains("value") ? v["value"] : Json()));
  }
  return out;
}

int Code(const Env& env, const std::string& name) {
  std::string v = Get(env, name);
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  return v.empty() || *end != '\0' || n < 0 || n > 255 ? 1 : static_cast<int>(n);
}

}  // namespace

Env ProcessEnv() {
  Env env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

std::vector<std::string> DefaultAliases(const std::string& image) {
  std::string name = image.substr(0, image.find('@'));
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    name = name.substr(0, colon);
  std::string under, dash;
  for (char c : name) {
    under += c == '/' ? std::string("__") : std::string(1, c);
    dash += c == '/' ? '-' : c;
  }
  if (under == dash) return {under};
  return {under, dash};
}

Result<std::vector<Service>> ParseServices(const std::string& text) {
  std::vector<Service> out;
  if (text.empty()) return out;
  ASSIGN_OR_RETURN(Json j, ParseJson(text, "CI_JOB_SERVICES"));
  if (j.is_null()) return out;
  if (!j.is_array()) return InvalidArgument("CI_JOB_SERVICES is not a JSON list");
  for (const auto& item : j) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        item["name"].get<std::string>().empty()) {
      return InvalidArgument("CI_JOB_SERVICES: each service needs a \"name\" (its image)");
    }
    Service s;
    s.name = item["name"].get<std::string>();
    std::string alias = item.value("alias", std::string());
    std::string word;
    for (char c : alias + " ") {
      if (c == ',' || c == ' ') {
        if (!word.empty()) s.aliases.push_back(word);
        word.clear();
      } else {
        word += c;
      }
    }
    if (s.aliases.empty()) s.aliases = DefaultAliases(s.name);
    auto entrypoint = StringsOrNull(item, "entrypoint");
    if (!entrypoint.ok()) return entrypoint.status().WithContext("CI_JOB_SERVICES " + s.name);
    auto command = StringsOrNull(item, "command");
    if (!command.ok()) return command.status().WithContext("CI_JOB_SERVICES " + s.name);
    s.entrypoint = *entrypoint;
    s.command = *command;
    auto env = Variables(item);
    if (!env.ok()) return env.status().WithContext("CI_JOB_SERVICES " + s.name);
    s.env = std::move(*env);
    out.push_back(std::move(s));
  }
  return out;
}

Result<Job> ParseJob(const Env& env) {
  Job job;
  std::string runner = Get(env, "CUSTOM_ENV_CI_RUNNER_ID");
  std::string id = Get(env, "CUSTOM_ENV_CI_JOB_ID");
  if (id.empty()) id = Get(env, "CUSTOM_ENV_CI_CONCURRENT_PROJECT_ID");
  if (id.empty()) {
    return InvalidArgument(
        "CUSTOM_ENV_CI_JOB_ID is not set: kiln gitlab runs as gitlab-runner's custom executor");
  }
  job.key = "gitlab-" + KeyPart(runner.empty() ? "0" : runner) + "-" + KeyPart(id);
  job.image = Get(env, "CUSTOM_ENV_CI_JOB_IMAGE");
  job.docker_auth_config = Get(env, "CUSTOM_ENV_DOCKER_AUTH_CONFIG");
  ASSIGN_OR_RETURN(job.services, ParseServices(Get(env, "CUSTOM_ENV_CI_JOB_SERVICES")));
  const std::string prefix = "CUSTOM_ENV_";
  for (const auto& [name, value] : env) {
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
        !IsRunnerCredential(name.substr(prefix.size()))) {
      job.variables.push_back(name.substr(prefix.size()) + "=" + value);
    }
  }
  return job;
}

bool IsRunnerCredential(const std::string& name) {
  for (const char* prefix : {"CI_JOB_TOKEN", "CI_BUILD_TOKEN", "CI_JOB_JWT", "CI_REGISTRY_PASSWORD",
                             "CI_DEPENDENCY_PROXY_PASSWORD", "CI_DEPLOY_PASSWORD",
                             "CI_REPOSITORY_URL", "DOCKER_AUTH_CONFIG"}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string RegistryHost(const std::string& image) {
  size_t slash = image.find('/');
  if (slash == std::string::npos) return "";
  std::string first = image.substr(0, slash);
  bool host = first == "localhost" || first.find('.') != std::string::npos ||
              first.find(':') != std::string::npos;
  return host ? first : "";
}

Result<std::optional<registry::Credentials>> ImageCredentials(const std::string& docker_auth_config,
                                                              const std::string& image) {
  std::string host = RegistryHost(image);
  if (docker_auth_config.empty() || host.empty()) return std::optional<registry::Credentials>();
  const std::string what = "DOCKER_AUTH_CONFIG";
  ASSIGN_OR_RETURN(Json config, registry::ParseAuthFile(docker_auth_config, what));
  ASSIGN_OR_RETURN(registry::AuthLookup found, registry::LookupAuth(config, what, host));
  return found.credentials;
}

ExitCodes ParseExitCodes(const Env& env) {
  return {Code(env, "BUILD_FAILURE_EXIT_CODE"), Code(env, "SYSTEM_FAILURE_EXIT_CODE"),
          Get(env, "BUILD_EXIT_CODE_FILE")};
}

}  // namespace kiln::gitlab
