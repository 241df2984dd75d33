#include "cli/cmd_run_options.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "base/fs.h"
#include "base/log.h"
#include "cli/secrets.h"
#include "workflow/github_context.h"

namespace kiln::cli {
namespace {

bool IsYaml(const std::string& s) {
  auto ends = [&](const std::string& x) {
    return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  return ends(".yml") || ends(".yaml");
}

bool LooksLikePath(const std::string& s) { return s.find('/') != std::string::npos || IsYaml(s); }

// A .yml/.yaml values file, as act reads one: a mapping of names to scalar values.
Result<std::map<std::string, std::string>> ParseYamlPairs(const std::string& text,
                                                          const std::string& file) {
  std::map<std::string, std::string> out;
  try {
    YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return out;
    if (!root.IsMap()) return InvalidArgument(file + ": expected a mapping of NAME: VALUE");
    for (const auto& kv : root) {
      if (!kv.second.IsScalar() && !kv.second.IsNull()) {
        YAML::Mark m = kv.second.Mark();
        return InvalidArgument(file + ":" + std::to_string(m.line + 1) + ":" +
                               std::to_string(m.column + 1) + ": the value of " +
                               kv.first.Scalar() + " must be a string");
      }
      out[kv.first.Scalar()] = kv.second.IsNull() ? "" : kv.second.Scalar();
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return out;
}

// NAME=VALUE lines of `flag`'s files, else of DIR/`default_name` when it exists, into out.
Status ReadPairFiles(const Flags& flags, const char* flag, const std::string& dir,
                     const char* default_name, bool dashes, std::map<std::string, std::string>& out,
                     std::vector<std::string>* read = nullptr) {
  std::vector<std::string> files = flags.GetAll(flag);
  bool given = !files.empty();
  if (!given) {
    std::string def = JoinPath(dir, default_name);
    if (!PathExists(def)) return Status::Ok();
    files.push_back(def);
  }
  for (const auto& file : files) {
    auto text = ReadFile(file);
    if (!text.ok())
      return InvalidArgument(std::string(flag) + " " + file + ": " + text.status().message());
    std::string shown = given ? file : default_name;
    ASSIGN_OR_RETURN(auto pairs, IsYaml(file) ? ParseYamlPairs(*text, shown)
                                              : ParseSecretFile(*text, shown, dashes));
    for (auto& [k, v] : pairs) out[k] = std::move(v);
    if (read != nullptr) read->push_back(file);
  }
  return Status::Ok();
}

Status SplitPairs(const std::vector<std::string>& specs, std::map<std::string, std::string>& out,
                  const char* what) {
  for (const auto& s : specs) {
    size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      return InvalidArgument(std::string(what) + " takes NAME=VALUE");
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return Status::Ok();
}

// -s flags after the files (a later one wins). Warns for each -s NAME=VALUE.
Status AddSecretFlags(const Flags& flags, std::map<std::string, std::string>& out) {
  for (const auto& spec : flags.GetAll("--secret")) {
    bool in_argv = false;
    RETURN_IF_ERROR(AddSecretFlag(
        spec, [](const char* n) { return std::getenv(n); }, out, &in_argv));
    if (in_argv) {
      LogWarn("--secret " + spec.substr(0, spec.find('=')) +
              "=VALUE puts the value in kiln's command line, "
              "which every local user can read in the process list; use -s NAME (value from $NAME) "
              "or --secret-file");
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<FlagSpec>& RunFlagSpecs() {
  static const std::vector<FlagSpec> specs = {{"--platform", "-P", true},
                                              {"--job", "-j", true},
                                              {"--event", "", true},
                                              {"--workflows", "-W", true},
                                              {"--eventpath", "-e", true},
                                              {"--list", "-l", false},
                                              {"--dryrun", "-n", false},
                                              {"--config", "", true},
                                              {"--secret", "-s", true},
                                              {"--secret-file", "", true},
                                              {"--env", "", true},
                                              {"--env-file", "", true},
                                              {"--var", "", true},
                                              {"--var-file", "", true},
                                              {"--input", "", true},
                                              {"--input-file", "", true},
                                              {"--actor", "-a", true},
                                              {"--github-instance", "", true},
                                              {"--defaultbranch", "", true},
                                              {"--remote-name", "", true},
                                              {"--json", "", false},
                                              {"--warm-pool", "", true},
                                              {"--concurrent-jobs", "", true},
                                              {"--tls-verify", "", true},
                                              {"--cert-dir", "", true},
                                              {"--verbose", "-v", false},
                                              {"--action-cache", "", true},
                                              {"--strict-labels", "", false},
                                              {"--cache-dir", "", true},
                                              {"--artifact-server-path", "", true},
                                              {"--bind", "", false}};
  return specs;
}

Result<RunTarget> ChooseRunTarget(const Flags& flags,
                                  const std::function<bool(const std::string&)>& exists) {
  RunTarget t;
  bool have_path = flags.Has("--workflows");
  if (have_path) t.path = flags.Get("--workflows");
  t.event = flags.Get("--event");
  if (flags.positional().size() > 2)
    return InvalidArgument("kiln run takes at most a workflow path and an event name; got " +
                           std::to_string(flags.positional().size()) + " arguments");
  for (const auto& arg : flags.positional()) {
    if (exists(arg) || LooksLikePath(arg)) {
      if (!exists(arg)) return InvalidArgument("no workflow file or directory " + arg);
      if (have_path)
        return InvalidArgument("two workflow paths: " + t.path + " and " + arg + "; give one");
      t.path = arg;
      have_path = true;
      t.positional_path = true;
    } else {
      if (!t.event.empty() && t.event != arg)
        return InvalidArgument("two events: " + t.event + " and " + arg + "; give one");
      t.event = arg;
    }
  }
  t.named_file = have_path && !IsDirectory(t.path);
  return t;
}

Status LoadRunValues(const Flags& flags, const std::string& dir, workflow::RunOptions& o) {
  RETURN_IF_ERROR(
      ReadPairFiles(flags, "--secret-file", dir, ".secrets", false, o.secrets, &o.workspace_skip));
  RETURN_IF_ERROR(AddSecretFlags(flags, o.secrets));
  RETURN_IF_ERROR(ReadPairFiles(flags, "--env-file", dir, ".env", false, o.env));
  RETURN_IF_ERROR(SplitPairs(flags.GetAll("--env"), o.env, "--env"));
  RETURN_IF_ERROR(ReadPairFiles(flags, "--var-file", dir, ".vars", false, o.vars));
  RETURN_IF_ERROR(SplitPairs(flags.GetAll("--var"), o.vars, "--var"));
  RETURN_IF_ERROR(ReadPairFiles(flags, "--input-file", dir, ".input", true, o.inputs));
  return SplitPairs(flags.GetAll("--input"), o.inputs, "--input");
}

Status LoadGithub(const Flags& flags, const std::string& dir, workflow::RunOptions& o) {
  workflow::GithubOptions g;
  g.repo_dir = dir;
  g.event_name = o.event;
  if (flags.Has("--eventpath")) {
    std::string file = flags.Get("--eventpath");
    auto text = ReadFile(file);
    if (!text.ok()) return InvalidArgument("-e " + file + ": " + text.status().message());
    auto payload = ParseJson(*text, file);
    if (!payload.ok())
      return InvalidArgument("-e " + file + ": not valid JSON: " + payload.status().message());
    if (!payload->is_object())
      return InvalidArgument("-e " + file + ": the event payload must be a JSON object");
    g.event = std::move(*payload);
  }
  g.actor = flags.Get("--actor");
  g.instance = flags.Get("--github-instance", "github.com");
  g.default_branch = flags.Get("--defaultbranch");
  g.remote_name = flags.Get("--remote-name", "origin");
  g.inputs = o.inputs;
  g.env = o.env;
  o.github = workflow::BuildGithubContext(g);
  // The payload keeps act's "master"; the cache falls back to the repository's own default.
  bool payload_branch = g.event.is_object() && g.event.contains("repository") &&
                        g.event["repository"].is_object() &&
                        g.event["repository"].contains("default_branch");
  if (g.default_branch.empty() && !payload_branch)
    o.cache_default_branch = workflow::RepoDefaultBranch(dir, g.remote_name);
  return Status::Ok();
}

}  // namespace kiln::cli
